/**
 * The part YOLO and the seed tool's layout share: one text file of label lines per image,
 * found below a root and matched to dataset images by mirrored folders, then by stem.
 */
import path from 'node:path';
import type { Bitmap } from '../../geometry/index.js';
import type { ClassList } from '../classes/index.js';
import { BatchBuilder } from './batch-builder.js';
import { datasetRelative, imageSizesFor, type ImageSize, type ImportContext } from './context.js';
import { ImportError } from './errors.js';
import { DatasetImageLookup, mirroredStemPaths, type MatchResult } from './image-match.js';
import { parseLabelLines, type LabelLine } from './label-lines.js';
import { readInputText } from './read-input.js';

/** What to do with an input that names no dataset image: fail (default) or leave it out. */
export type UnmatchedPolicy = 'error' | 'skip';

export interface LabelObject {
  className: string;
  mask: Bitmap;
  score: number | null;
}

export interface LabelFilesJob {
  root: string;
  /** Label files, POSIX paths relative to root. */
  files: readonly string[];
  ctx: ImportContext;
  builder: BatchBuilder;
  unmatched: UnmatchedPolicy;
  /** One line as an object, or null when the line is left out (the callee tallies why). */
  toObject(line: LabelLine, size: ImageSize, file: string): LabelObject | null;
}

/**
 * The dataset image a match found for an annotation file, or null when it found none and
 * `unmatched` is 'skip' (tallied). No match under 'error', or several, is an ImportError.
 */
export function imageForFile(
  match: MatchResult,
  input: { file: string; what: string; where: string },
  unmatched: UnmatchedPolicy,
  builder: BatchBuilder,
): string | null {
  const { file, what } = input;
  if (match.kind === 'found') return match.path;
  if (match.kind === 'ambiguous') {
    throw new ImportError(
      { file },
      `one dataset image for this ${what}`,
      `${match.candidates.length}: ${match.candidates.slice(0, 5).join(', ')}`,
    );
  }
  if (unmatched === 'skip') {
    builder.tally(`${what}s without a dataset image were left out`, file);
    return null;
  }
  throw new ImportError({ file }, `a dataset image for this ${what} (${input.where})`, 'none');
}

/** A builder for a format whose classes come from a class list, its repairs noted. */
export function batchWithClasses(format: string, classes: ClassList): BatchBuilder {
  const builder = new BatchBuilder(format);
  for (const name of classes.names) builder.addClass(name);
  for (const repair of classes.repairs) builder.note(`${classes.file}: ${repair}`);
  return builder;
}

export async function importLabelFiles(job: LabelFilesJob): Promise<void> {
  const { root, ctx, builder } = job;
  const lookup = new DatasetImageLookup(ctx.images.keys());
  const prefix = datasetRelative(ctx, root);
  const matched: { file: string; relPath: string }[] = [];
  for (const rel of job.files) {
    const file = path.join(root, rel);
    const stemRel = rel.replace(/\.[^./]*$/, '');
    const stem = path.posix.basename(stemRel);
    const relPath = imageForFile(
      lookup.matchStem(mirroredStemPaths(stemRel, prefix, ['labels'], 'images'), stem),
      {
        file,
        what: 'label file',
        where: `images/ mirroring labels/, or the one image named ${stem}.*`,
      },
      job.unmatched,
      builder,
    );
    if (relPath !== null) matched.push({ file, relPath });
  }
  const sizes = await imageSizesFor(
    ctx,
    matched.map((m) => ({ relPath: m.relPath, where: { file: m.file } })),
  );
  for (let i = 0; i < matched.length; i++) {
    const { file, relPath } = matched[i]!;
    const size = sizes[i]!;
    const lines = parseLabelLines(await readInputText(file), file);
    const other = builder.claimImage(relPath, size, file);
    if (other !== undefined) {
      throw new ImportError({ file }, `the only label file for image ${relPath}`, `${other} too`);
    }
    for (const line of lines) {
      const object = job.toObject(line, size, file);
      if (object) {
        builder.addObject(
          relPath,
          object.className,
          object.mask,
          `${file}:${line.line}`,
          object.score,
        );
      }
    }
  }
}
