import { randomUUID } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import sharp from 'sharp';
import { configureSharp } from '../../dataset/index.js';
import type { Bitmap, Size } from '../../geometry/index.js';
import { openSegmenter } from '../../model/open-segmenter.js';
import { ModelRegistryError } from '../../model/registry/index.js';
import { segmenterImageFromFile } from '../../model/segmenter-image.js';
import {
  PromptError,
  type BoxPrompt,
  type Candidate,
  type PointPrompt,
  type Prompt,
} from '../../model/segmenter.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { EXIT, printJson, type CliIO } from '../io.js';

/** A parsed flag with the text the user typed, so that errors can quote it. */
interface Flag<T> {
  text: string;
  value: T;
}

interface PredictOptions {
  model?: string;
  point?: Flag<PointPrompt>[];
  box?: Flag<BoxPrompt>;
  out?: string;
  json?: boolean;
}

/** Numbers separated by commas: `count` of them, else `undefined`. */
function numbers(text: string, count: number[]): number[] | undefined {
  const parts = text.split(',').map((part) => part.trim());
  if (!count.includes(parts.length) || parts.some((part) => part === '')) return undefined;
  const values = parts.map(Number);
  return values.every(Number.isFinite) ? values : undefined;
}

function parsePoint(text: string, previous: Flag<PointPrompt>[] = []): Flag<PointPrompt>[] {
  const values = numbers(text, [2, 3]);
  const [x, y, label = 1] = values ?? [];
  if (values === undefined || (label !== 0 && label !== 1)) {
    throw new InvalidArgumentError(
      `expected x,y or x,y,label in original-image pixels with label 1 (add) or 0 (remove), got "${text}".`,
    );
  }
  return [...previous, { text, value: { x: x!, y: y!, label } }];
}

function parseBox(text: string): Flag<BoxPrompt> {
  const values = numbers(text, [4]);
  if (values === undefined) {
    throw new InvalidArgumentError(`expected x1,y1,x2,y2 in original-image pixels, got "${text}".`);
  }
  const [x1, y1, x2, y2] = values as [number, number, number, number];
  // Corners in any order: a box dragged up and to the left is the same box.
  const box = {
    x0: Math.min(x1, x2),
    y0: Math.min(y1, y2),
    x1: Math.max(x1, x2),
    y1: Math.max(y1, y2),
  };
  return { text, value: box };
}

/** What is wrong with the prompt on an image of `size`, naming the flag and value; null when fine. */
function promptProblem(points: Flag<PointPrompt>[], box: Flag<BoxPrompt> | undefined, size: Size) {
  const extent = `the ${size.width}x${size.height} image (x 0..${size.width}, y 0..${size.height})`;
  for (const { text, value } of points) {
    if (value.x < 0 || value.x > size.width || value.y < 0 || value.y > size.height) {
      return `--point ${text} lies outside ${extent}`;
    }
  }
  if (box) {
    const { x0, y0, x1, y1 } = box.value;
    if (x0 < 0 || y0 < 0 || x1 > size.width || y1 > size.height) {
      return `--box ${box.text} reaches outside ${extent}`;
    }
    if (x1 - x0 < 1 || y1 - y0 < 1) {
      return `--box ${box.text} must be at least one pixel wide and high`;
    }
  }
  return null;
}

/** The flag a segmenter's PromptError field (`points[2].x`, `box`) came from. */
function flagOf(field: string, points: Flag<PointPrompt>[], box?: Flag<BoxPrompt>): string {
  const point = /^points\[(\d+)\]/.exec(field);
  if (point) return `--point ${points[Number(point[1])]?.text ?? ''}`.trim();
  if (field.startsWith('box') && box) return `--box ${box.text}`;
  return field === 'points' ? '--point' : field;
}

/**
 * Writes the mask as a greyscale PNG (255 inside, 0 outside) at the original size: into a
 * temporary file beside `file`, then renamed over it, so that `file` is never half written.
 */
export async function writeMaskPng(mask: Bitmap, file: string): Promise<void> {
  const pixels = Buffer.alloc(mask.width * mask.height);
  for (let i = 0; i < pixels.length; i++) if (mask.data[i]) pixels[i] = 255;
  // Without the colour space sharp would write a single-channel input as three-channel sRGB.
  const png = await sharp(pixels, { raw: { width: mask.width, height: mask.height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`,
  );
  try {
    await writeFile(temp, png, { flag: 'wx' });
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw new Error(`Cannot write the mask to ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function candidateJson(candidate: Candidate, rank: number) {
  return {
    rank,
    bbox: candidate.bbox,
    area: candidate.area,
    predictedIou: candidate.predictedIou,
    stabilityScore: candidate.stabilityScore,
    rle: candidate.rle,
  };
}

function candidateLine(candidate: Candidate, rank: number): string {
  return (
    `${rank} iou=${candidate.predictedIou.toFixed(3)} ` +
    `stability=${candidate.stabilityScore.toFixed(3)} area=${candidate.area} ` +
    `bbox=${candidate.bbox.join(',')}`
  );
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/**
 * `predict IMAGE --point x,y[,label]... [--box x1,y1,x2,y2] [--model M] [--out mask.png] [--json]`:
 * one-shot segmentation of one picture. Coordinates are original-image pixels (after EXIF
 * orientation). Candidates are printed best first, one line each (or as JSON with their COCO
 * RLE); --out writes the best one as a PNG mask.
 */
export function registerPredictCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command('predict')
    .description('segment one picture from clicks and/or a box; print the candidate masks')
    .argument('<image>', 'picture file')
    .option(
      '--model <model>',
      'model name, folder or encoder file (default: the embedded segmenter)',
    )
    .option(
      '--point <x,y[,label]>',
      'a click; label 1 adds (default), 0 removes (repeatable)',
      parsePoint,
    )
    .option('--box <x1,y1,x2,y2>', 'a box around the object', parseBox)
    .option('--out <file>', 'write the best mask here as a PNG (255 = object) at the original size')
    .option('--json', 'machine-readable output: candidates with bbox, area, scores and COCO RLE')
    .action(async (file: string, options: PredictOptions, command: Command) => {
      const usage = (message: string): void => {
        io.err(`error: ${message}`);
        setExit(EXIT.usage);
      };
      const points = options.point ?? [];
      if (points.length === 0 && !options.box) {
        usage('give at least one --point x,y[,label] or a --box x1,y1,x2,y2');
        return;
      }
      const { config, logger } = commandContext(io, command.optsWithGlobals<GlobalOptions>());
      configureSharp(config);
      const image = await segmenterImageFromFile(file, config);
      const problem = promptProblem(points, options.box, image.size);
      if (problem) {
        usage(problem);
        return;
      }
      const prompt: Prompt = {
        points: points.map((p) => p.value),
        ...(options.box ? { box: options.box.value } : {}),
      };

      let segmenter;
      try {
        segmenter = await openSegmenter(options.model, { config, logger });
      } catch (err) {
        if (!(err instanceof ModelRegistryError)) throw err;
        usage(err.message);
        return;
      }
      let candidates: Candidate[];
      const started = performance.now();
      let encodeMs: number;
      try {
        const embedding = await segmenter.encode(image);
        encodeMs = performance.now() - started;
        candidates = await segmenter.predict(embedding, prompt);
      } catch (err) {
        if (!(err instanceof PromptError)) throw err;
        usage(`${flagOf(err.field, points, options.box)}: ${err.message}`);
        return;
      } finally {
        await segmenter.release();
      }
      const predictMs = performance.now() - started - encodeMs;

      const best = candidates[0];
      const out = options.out === undefined ? null : path.resolve(options.out);
      if (out && best) await writeMaskPng(best.mask, out);
      if (options.json) {
        printJson(io, {
          image: path.resolve(file),
          size: image.size,
          model: segmenter.id,
          prompt,
          encodeMs: round(encodeMs),
          predictMs: round(predictMs),
          candidates: candidates.map((c, i) => candidateJson(c, i + 1)),
          out: out && best ? out : null,
        });
      } else {
        for (const [i, candidate] of candidates.entries()) io.out(candidateLine(candidate, i + 1));
        io.err(
          `${candidates.length} candidates from ${segmenter.id} for ${image.size.width}x${image.size.height} ` +
            `(encode ${round(encodeMs)} ms, predict ${round(predictMs)} ms)`,
        );
        if (out && best) io.err(`best mask written to ${out}`);
      }
      if (out && !best) {
        io.err(`error: the model found no mask for this prompt; nothing was written to ${out}`);
        setExit(EXIT.problemsFound);
        return;
      }
      setExit(EXIT.ok);
    });
}
