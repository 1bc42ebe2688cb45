/**
 * Finding the dataset image an import entry means: a COCO file_name, or a label file's path
 * (labels/train/a.txt -> images/train/a.jpg). Lookups are by NFC-normalised POSIX paths; what
 * comes back is the dataset's own key. Nothing here touches the disk: a file_name such as
 * "../../etc/passwd" can only ever select an image the dataset already lists, or none.
 */
import path from 'node:path';

export type MatchResult =
  | { kind: 'found'; path: string; how: string }
  | { kind: 'none' }
  | { kind: 'ambiguous'; candidates: string[] };

function stripExt(p: string): string {
  const ext = path.posix.extname(p);
  return ext ? p.slice(0, -ext.length) : p;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Normalises a path written by some tool: NFC, '/' separators, no './' or empty segments. */
export function cleanPath(p: string): string {
  const segments = p.normalize('NFC').replace(/\\/g, '/').split('/');
  return segments.filter((s, i) => s !== '.' && (s !== '' || i === 0)).join('/');
}

export class DatasetImageLookup {
  private readonly exact = new Map<string, string>();
  private readonly byStemPath = new Map<string, string[]>();
  private readonly byBase = new Map<string, string[]>();
  private readonly byStem = new Map<string, string[]>();
  /** Paths by their trailing segments ("b/c.jpg" for "a/b/c.jpg"); built on first need. */
  private bySuffix?: Map<string, string[]>;

  constructor(paths: Iterable<string>) {
    for (const key of paths) {
      const p = key.normalize('NFC');
      this.exact.set(p, key);
      push(this.byStemPath, stripExt(p), key);
      const base = path.posix.basename(p);
      push(this.byBase, base, key);
      push(this.byStem, stripExt(base), key);
    }
  }

  /**
   * A file name from an annotation file: the exact relative path; else the path resolved
   * against `baseDir` (the annotation file's folder, relative to the dataset; null when it lies
   * outside); else the one dataset path ending with its longest possible tail; else the one
   * image with its basename.
   */
  matchFileName(fileName: string, baseDir: string | null): MatchResult {
    const name = cleanPath(fileName);
    const exact = this.exact.get(name);
    if (exact !== undefined) return { kind: 'found', path: exact, how: 'path' };
    if (baseDir !== null && !path.posix.isAbsolute(name)) {
      const joined = path.posix.normalize(path.posix.join(baseDir, name));
      const hit = joined.startsWith('../') || joined === '..' ? undefined : this.exact.get(joined);
      if (hit !== undefined) return { kind: 'found', path: hit, how: 'path from the file' };
    }
    // Longest tail first: "/mnt/data/coco/train/a.jpg" finds "coco/train/a.jpg" or "train/a.jpg".
    const segments = name.split('/');
    const from = segments.lastIndexOf('..') + 1;
    for (let k = Math.max(from, 0); k < segments.length - 1; k++) {
      if (segments[k] === '') continue;
      const tail = segments.slice(k).join('/');
      const exactTail = this.exact.get(tail);
      const hits = [
        ...(exactTail !== undefined ? [exactTail] : []),
        ...(this.suffixIndex().get(tail) ?? []),
      ];
      const r = this.pick(hits, 'path suffix');
      if (r.kind !== 'none') return r;
    }
    return this.pick(this.byBase.get(path.posix.basename(name)) ?? [], 'basename');
  }

  /**
   * A label file at `rel` (POSIX, relative to the import root, extension dropped): first the
   * stem paths in `stemPaths` in order (mirrored folders such as labels/ -> images/), then the
   * one image of the dataset with the same stem.
   */
  matchStem(stemPaths: readonly string[], stem: string): MatchResult {
    for (const candidate of stemPaths) {
      const r = this.pick(this.byStemPath.get(cleanPath(candidate)) ?? [], 'mirrored path');
      if (r.kind !== 'none') return r;
    }
    return this.pick(this.byStem.get(stem.normalize('NFC')) ?? [], 'file stem');
  }

  private suffixIndex(): Map<string, string[]> {
    if (!this.bySuffix) {
      this.bySuffix = new Map();
      for (const [p, key] of this.exact) {
        const segments = p.split('/');
        for (let i = 1; i < segments.length - 1; i++) {
          push(this.bySuffix, segments.slice(i).join('/'), key);
        }
      }
    }
    return this.bySuffix;
  }

  private pick(hits: readonly string[], how: string): MatchResult {
    if (hits.length === 1) return { kind: 'found', path: hits[0]!, how };
    if (hits.length === 0) return { kind: 'none' };
    return { kind: 'ambiguous', candidates: [...hits].sort() };
  }
}

/**
 * Where a label file's image may sit, most likely first. `rel` is the label's path without
 * extension relative to the import root; `prefix` is that root relative to the dataset (null
 * when outside). The last folder named like one of `from` is swapped for `to` (Ultralytics'
 * labels/ <-> images/ rule), or dropped; then the path as it is.
 */
export function mirroredStemPaths(
  rel: string,
  prefix: string | null,
  from: readonly string[],
  to: string,
): string[] {
  const segments = rel.split('/');
  const forms: string[] = [];
  for (let i = segments.length - 2; i >= 0; i--) {
    if (from.includes(segments[i]!)) {
      forms.push([...segments.slice(0, i), to, ...segments.slice(i + 1)].join('/'));
      forms.push([...segments.slice(0, i), ...segments.slice(i + 1)].join('/'));
      break;
    }
  }
  forms.push(rel);
  const out: string[] = [];
  for (const form of forms) {
    if (prefix) out.push(path.posix.join(prefix, form));
    out.push(form);
  }
  return [...new Set(out)];
}
