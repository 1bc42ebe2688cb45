/**
 * Collects what an importer read into an ImportBatch: classes in first-seen order, images by
 * dataset path, and notes for what the user should know but that is not an error.
 */
import {
  encodeRuns,
  runsArea,
  runsToCompressed,
  type Bitmap,
  type CompressedRle,
  type RleRuns,
} from '../../geometry/index.js';
import type { ImportBatch, ImportedImage } from '../../store/records.js';
import type { ImageSize } from './context.js';

/** An importer's answer: the batch to apply, and notes on what was repaired or left out. */
export interface ImportResult {
  batch: ImportBatch;
  notes: string[];
}

export class BatchBuilder {
  private readonly classes: string[] = [];
  private readonly classSet = new Set<string>();
  private readonly images = new Map<string, ImportedImage>();
  private readonly owners = new Map<string, string>();
  private readonly notes: string[] = [];
  private readonly tallies = new Map<string, { count: number; first: string }>();

  constructor(private readonly format: string) {}

  addClass(name: string): void {
    if (this.classSet.has(name)) return;
    this.classSet.add(name);
    this.classes.push(name);
  }

  /**
   * Registers dataset image `path` as read from `source` (a label file, a JSON entry). Returns
   * the source that registered it before, if another one did: two inputs for one image.
   */
  claimImage(path: string, size: ImageSize, source: string): string | undefined {
    const owner = this.owners.get(path);
    if (owner !== undefined) return owner === source ? undefined : owner;
    this.owners.set(path, source);
    this.images.set(path, { path, width: size.width, height: size.height, objects: [] });
    return undefined;
  }

  /** Adds an object to a claimed image; a mask with no pixel is left out and tallied. */
  addObject(
    path: string,
    className: string,
    mask: Bitmap | RleRuns,
    where: string,
    score: number | null = null,
  ): void {
    const runs = 'data' in mask ? encodeRuns(mask) : mask;
    if (runsArea(runs.counts) === 0) {
      this.tally('objects whose mask covers no pixel were left out', where);
      return;
    }
    this.addClass(className);
    const rle: CompressedRle = runsToCompressed(runs);
    this.images
      .get(path)!
      .objects.push(score === null ? { className, rle } : { className, rle, score });
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /** Counts a repeated event; the note says how often and where it happened first. */
  tally(what: string, where: string): void {
    const t = this.tallies.get(what);
    if (t) t.count++;
    else this.tallies.set(what, { count: 1, first: where });
  }

  build(): ImportResult {
    const notes = [...this.notes];
    for (const [what, { count, first }] of this.tallies)
      notes.push(`${what}: ${count} (first: ${first})`);
    const images = [...this.images.values()].sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
    );
    return { batch: { format: this.format, classes: [...this.classes], images }, notes };
  }
}
