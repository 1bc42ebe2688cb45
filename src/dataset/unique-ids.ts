import type { ImageEntry } from './image-entry.js';
import { unnormalisedImageIdOf } from './image-id.js';
import type { ScanProblem } from './scan.js';

/** An entry that could not have its usual id, and the entry that holds that id. */
export interface ReassignedId {
  entry: ImageEntry;
  usualIdHeldBy: ImageEntry;
}

export interface UniqueIds {
  entries: ImageEntry[];
  positionById: Map<string, number>;
  /** Entries whose usual id (imageIdOf) was taken, with the id they got instead. */
  reassigned: ReassignedId[];
  /** Entries left out because no distinct id could be found. */
  problems: ScanProblem[];
}

/**
 * Makes the scan's ids distinct without ever refusing the dataset. Two names that differ only in
 * Unicode normalisation ("caf\u00e9.png" and "cafe\u0301.png", which Linux keeps apart) share
 * imageIdOf: the one spelled in NFC keeps it (it is the id the other name had on a macOS copy of
 * the dataset too), and the other gets the hash of its name as spelled, which is the same on
 * every re-scan while both files exist. Only a true 64-bit hash collision (odds ~3e-10 among
 * 1e5 files) leaves a file out, reported as a scan problem naming both files.
 */
export function assignUniqueIds(scanned: readonly ImageEntry[]): UniqueIds {
  const entries: Array<ImageEntry | undefined> = [...scanned];
  const positionById = new Map<string, number>();
  const reassigned: ReassignedId[] = [];
  const problems: ScanProblem[] = [];
  for (let position = 0; position < entries.length; position++) {
    const entry = entries[position]!;
    const holder = positionById.get(entry.id);
    if (holder === undefined) {
      positionById.set(entry.id, position);
      continue;
    }
    const other = entries[holder]!;
    const movePosition = isNfc(entry.relPath) && !isNfc(other.relPath) ? holder : position;
    const moving = entries[movePosition]!;
    const id = unnormalisedImageIdOf(moving.relPath);
    if (id === moving.id || positionById.has(id)) {
      problems.push({
        path: entry.absPath,
        message:
          `left out: ${spelledOut(entry.relPath)} has the same id ${entry.id} as ` +
          `${spelledOut(other.relPath)}; rename one of them`,
      });
      entries[position] = undefined;
      continue;
    }
    entries[movePosition] = { ...moving, id };
    positionById.set(id, movePosition);
    if (movePosition === holder) positionById.set(entry.id, position);
    reassigned.push({
      entry: entries[movePosition]!,
      usualIdHeldBy: entries[movePosition === holder ? position : holder]!,
    });
  }
  if (problems.length === 0) {
    return { entries: entries as ImageEntry[], positionById, reassigned, problems };
  }
  const kept = entries.filter((entry) => entry !== undefined);
  return {
    entries: kept,
    positionById: new Map(kept.map((entry, position) => [entry.id, position])),
    reassigned,
    problems,
  };
}

function isNfc(text: string): boolean {
  return text === text.normalize('NFC');
}

/**
 * A name with every character outside printable ASCII written as its code point
 * ("cafe\u0301.png"), so that two names that look the same can be told apart in a message.
 */
export function spelledOut(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0x20 && code <= 0x7e) out += char;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\u{${code.toString(16)}}`;
  }
  return out;
}
