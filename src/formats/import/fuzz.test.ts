/**
 * Malformed inputs, generated from a fixed seed: every one must end in an ImportError or a
 * valid batch, never another exception. Mutations: truncation, byte flips, bad UTF-8, wrong
 * types, missing fields, NaN and huge numbers, negative and huge sizes, RLE counts that do not
 * sum to h * w, coordinates out of range, unknown class ids, path traversal in file names.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from '../../cache/crc32.js';
import { decodeRle, encodeMask, encodeMaskUncompressed } from '../../geometry/index.js';
import { randomBlobMask, seededRandom } from '../../geometry/testdata/shapes.js';
import type { ImportBatch } from '../../store/records.js';
import { parseClassCsv } from '../classes/class-csv.js';
import { parseDataYaml } from '../classes/data-yaml.js';
import type { ImportResult } from './batch-builder.js';
import { importCoco } from './coco.js';
import { ImportError } from './errors.js';
import { importSeed } from './seed.js';
import { makeDataset, palettePng, type TestDataset } from './test-support.js';
import { vocColormap } from '../export/palette-png.js';
import { importVoc } from './voc.js';
import { importYolo } from './yolo.js';

const random = seededRandom(20240501);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const int = (n: number): number => Math.floor(random() * n);

const W = 16;
const H = 12;
let ds: TestDataset;
let outcomes = { errors: 0, batches: 0 };
const unexpected: string[] = [];

beforeAll(async () => {
  ds = await makeDataset(
    [
      { path: 'images/a.png', width: W, height: H },
      { path: 'images/b.jpg', width: 10, height: 8 },
      { path: 'JPEGImages/a.jpg', width: W, height: H },
    ],
    { inMemory: true },
  );
});
afterAll(() => ds.cleanup());

/** A batch is valid when it only names dataset images at their sizes with decodable masks. */
function checkBatch(batch: ImportBatch): void {
  for (const image of batch.images) {
    const size = ds.ctx.images.get(image.path);
    if (size === undefined) throw new Error(`batch names ${image.path}, not a dataset image`);
    for (const object of image.objects) {
      const mask = decodeRle(object.rle);
      if (mask.width !== image.width || mask.height !== image.height)
        throw new Error('mask size differs from image');
      if (!batch.classes.includes(object.className))
        throw new Error(`class ${object.className} not listed`);
    }
  }
}

async function attempt(
  label: string,
  run: () => Promise<ImportResult> | ImportResult | unknown,
): Promise<void> {
  try {
    const result = await run();
    if (result && typeof result === 'object' && 'batch' in result)
      checkBatch((result as ImportResult).batch);
    outcomes.batches++;
  } catch (err) {
    if (err instanceof ImportError) outcomes.errors++;
    else unexpected.push(`${label}: ${(err as Error)?.stack ?? String(err)}`);
  }
}

// ---- byte and text mutations ----------------------------------------------------------------

function mutateBytes(bytes: Uint8Array): { bytes: Uint8Array; how: string } {
  const b = Buffer.from(bytes);
  switch (int(5)) {
    case 0: {
      const at = int(b.length);
      return { bytes: b.subarray(0, at), how: `truncated at ${at}` };
    }
    case 1: {
      const flips = 1 + int(4);
      for (let i = 0; i < flips; i++) {
        const at = int(b.length);
        b[at] = b[at]! ^ (1 << int(8));
      }
      return { bytes: b, how: `${flips} bit flips` };
    }
    case 2: {
      const at = int(b.length);
      const bad = pick([
        [0xff],
        [0xc3, 0x28],
        [0xe2, 0x82],
        [0xed, 0xa0, 0x80],
        [0xf8, 0x88, 0x80, 0x80],
      ]);
      return {
        bytes: Buffer.concat([b.subarray(0, at), Buffer.from(bad), b.subarray(at)]),
        how: `bad UTF-8 at ${at}`,
      };
    }
    case 3: {
      const at = int(b.length);
      b[at] = int(256);
      return { bytes: b, how: `byte ${at} replaced` };
    }
    default: {
      const at = int(b.length);
      const len = int(8);
      return {
        bytes: Buffer.concat([b.subarray(0, at), b.subarray(at + len)]),
        how: `${len} bytes cut at ${at}`,
      };
    }
  }
}

const ODD_TOKENS = [
  'NaN',
  'nan',
  'Infinity',
  '-inf',
  '1e999',
  '-1e999',
  '1e308',
  '-1',
  '99999999999999999999',
  '0x10',
  '',
  '"',
  ',',
  '2.5',
  '-0',
  '1e-320',
  '../../etc/passwd',
  '\u0000',
  '\ud800',
];

function mutateText(text: string): { text: string; how: string } {
  const tokens = text.split(/(\s+|,)/);
  const i = int(tokens.length);
  const replacement = pick(ODD_TOKENS);
  tokens[i] = replacement;
  return { text: tokens.join(''), how: `token ${i} -> ${JSON.stringify(replacement)}` };
}

// ---- COCO ---------------------------------------------------------------------------------

function cocoBase(): Record<string, unknown> {
  const m = randomBlobMask(W, H, int(1000));
  return {
    images: [
      { id: 1, file_name: 'images/a.png', width: W, height: H },
      { id: 2, file_name: 'b.jpg', width: 10, height: 8 },
    ],
    categories: [
      { id: 1, name: 'cat' },
      { id: 2, name: 'dog' },
    ],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, segmentation: encodeMask(m), score: 0.5 },
      { id: 2, image_id: 1, category_id: 2, iscrowd: 1, segmentation: encodeMaskUncompressed(m) },
      { id: 3, image_id: 2, category_id: 1, segmentation: [[1, 1, 8, 1, 8, 6, 1, 6]] },
      { id: 4, image_id: 2, category_id: 2, bbox: [2, 2, 3, 3] },
    ],
  };
}

const ODD_VALUES: unknown[] = [
  null,
  'text',
  '',
  -1,
  0,
  1e308,
  -1e308,
  2 ** 53,
  0.5,
  true,
  [],
  {},
  [1, 2],
  [[1]],
  { size: [-1, 5], counts: [] },
  { size: [1e6, 1e6], counts: 'abc' },
  { size: [H, W], counts: [1, 2, 3] },
  { size: [H, W], counts: '0000' },
  '../../etc/passwd',
  '/etc/passwd',
  'images/../../x.png',
  'C:\\windows\\system.ini',
  [[0, 0, 1e9, 0, 5, 5]],
  [[-50, -50, 1, 1, 2, 2]],
  [[0, 0, 1, 1, 'x', 2]],
  [0, 1, 2, 3, 4, 5],
  [1e-300, 0, 0, 1e-300],
];

/** Every path to a value in the document, as key lists. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value))
    value.slice(0, 12).forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function mutateCoco(doc: Record<string, unknown>): { text: string; how: string } {
  const all = paths(doc).filter((p) => p.length > 0);
  const target = pick(all);
  const parent = target
    .slice(0, -1)
    .reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], doc) as Record<
    string | number,
    unknown
  >;
  const key = target[target.length - 1]!;
  const mode = int(4);
  if (mode === 0) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
    return { text: JSON.stringify(doc), how: `deleted ${target.join('.')}` };
  }
  const value = pick(ODD_VALUES);
  parent[key] = value;
  const text = JSON.stringify(doc);
  if (mode === 1) {
    // NaN and Infinity cannot come out of JSON.stringify: write them in as text.
    const odd = pick(['NaN', 'Infinity', '-Infinity', '1e999', '01', '.5', '+1']);
    return { text: text.replace(/(?<=[:,[])-?\d+(\.\d+)?/, odd), how: `number -> ${odd}` };
  }
  return { text, how: `${target.join('.')} = ${JSON.stringify(value)?.slice(0, 40)}` };
}

describe('fuzzed imports', () => {
  it('end in an ImportError or a valid batch, never another exception', async () => {
    outcomes = { errors: 0, batches: 0 };
    const tmp = path.join(ds.dir, 'fuzz');
    let cases = 0;

    // COCO: 450 documents.
    for (let i = 0; i < 450; i++, cases++) {
      const doc = cocoBase();
      const mutated = mutateCoco(doc);
      let how = mutated.how;
      let bytes: Uint8Array = Buffer.from(mutated.text);
      if (i % 3 === 0) ({ bytes, how } = mutateBytes(bytes));
      const file = await ds.write(`fuzz/coco-${i % 4}.json`, bytes);
      await attempt(`coco #${i} (${how})`, () =>
        importCoco(file, ds.ctx, { unmatched: i % 2 ? 'skip' : 'error' }),
      );
    }

    // YOLO: 300 label files and data.yaml files.
    const polygon = '1 0.1 0.1 0.9 0.1 0.9 0.9 0.1 0.9';
    const yoloLabels = `0 0.5 0.5 0.25 0.5\n${polygon}\n1 0.5 0.5 0.2 0.2 0.9\n`;
    const yaml = "path: .\nnames:\n  0: cat\n  1: 'dog'\nnc: 2\n";
    for (let i = 0; i < 300; i++, cases++) {
      // Mostly one label file; now and then a second one that may name a missing image.
      if (i % 10 === 9) await rm(path.join(tmp, 'yolo'), { recursive: true, force: true });
      const mutateYaml = i % 5 === 0;
      let labels = yoloLabels;
      let how = '';
      if (!mutateYaml) {
        const t =
          i % 2
            ? mutateText(yoloLabels)
            : {
                text: yoloLabels.replace(/^\d/m, String(pick([2, 7, 100, -1]))),
                how: 'unknown class id',
              };
        ({ text: labels, how } = t);
      }
      let labelBytes: Uint8Array = Buffer.from(labels);
      if (i % 7 === 3) ({ bytes: labelBytes, how } = mutateBytes(labelBytes));
      let yamlBytes: Uint8Array = Buffer.from(yaml);
      if (mutateYaml)
        ({ bytes: yamlBytes, how } =
          i % 2
            ? mutateBytes(yamlBytes)
            : { bytes: Buffer.from(mutateText(yaml).text), how: 'yaml token' });
      await ds.write('fuzz/yolo/data.yaml', yamlBytes);
      await ds.write(
        `fuzz/yolo/labels/${i % 10 === 8 ? pick(['b', 'c', 'nested/a']) : 'a'}.txt`,
        labelBytes,
      );
      await attempt(`yolo #${i} (${how})`, () =>
        importYolo(path.join(tmp, 'yolo'), ds.ctx, { withScores: i % 4 === 0 }),
      );
      await attempt(`data.yaml #${i}`, () =>
        parseDataYaml(Buffer.from(yamlBytes).toString('utf8'), 'data.yaml'),
      );
    }

    // Seed layout: 100 label files.
    await ds.write('fuzz/seed/classes.csv', 'class_name\nbackground\ncar\n');
    for (let i = 0; i < 100; i++, cases++) {
      const { text, how } = mutateText(
        `1 0.100000 0.100000 0.900000 0.100000 0.500000 0.900000\n0 ${'0.5 '.repeat(int(8))}\n`,
      );
      await ds.write('fuzz/seed/labels/a.txt', text);
      await attempt(`seed #${i} (${how})`, () => importSeed(path.join(tmp, 'seed'), ds.ctx));
    }

    // VOC: 200 mask PNGs and annotation XML files.
    const indices = new Uint8Array(W * H);
    for (let k = 0; k < indices.length; k++)
      indices[k] = k % W < 5 ? 1 : k % W > 10 ? 2 : k % 7 === 0 ? 255 : 0;
    const png = palettePng(indices, W, H, 0, vocColormap());
    const xml =
      '<annotation><object><name>cat</name></object><object><name>dog &amp; co</name></object></annotation>';
    for (let i = 0; i < 200; i++, cases++) {
      let pngBytes: Uint8Array = png;
      let xmlText = xml;
      let how: string;
      if (i % 4 === 0) {
        // Another size in IHDR, CRC fixed up so the size check itself is what must catch it.
        const b = Buffer.from(png);
        b.writeUInt32BE(pick([0, 1, W + 1, 0x7fffffff, 0xffffffff]), 16);
        b.writeUInt32BE(pick([0, H, 0xffffffff]), 20);
        b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
        pngBytes = b;
        how = 'IHDR size';
      } else if (i % 4 === 1) {
        const t = mutateBytes(Buffer.from(xml));
        xmlText = Buffer.from(t.bytes).toString('latin1');
        how = `xml ${t.how}`;
      } else {
        ({ bytes: pngBytes, how } = mutateBytes(png));
      }
      await ds.write('fuzz/voc/SegmentationObject/a.png', pngBytes);
      await ds.write('fuzz/voc/Annotations/a.xml', xmlText);
      await attempt(`voc #${i} (${how})`, () => importVoc(path.join(tmp, 'voc'), ds.ctx));
    }

    // Class CSV: 250 files.
    const csv = 'class_name,color\n"bird, small",#ff0000\ncat,\n"say ""hi""",#00ff00\n';
    for (let i = 0; i < 250; i++, cases++) {
      const { bytes, how } =
        i % 2
          ? mutateBytes(Buffer.from(csv))
          : { bytes: Buffer.from(mutateText(csv).text), how: 'token' };
      await attempt(`csv #${i} (${how})`, () =>
        parseClassCsv(Buffer.from(bytes).toString('utf8'), 'classes.csv'),
      );
    }

    expect(cases).toBeGreaterThanOrEqual(1000);
    expect(unexpected.slice(0, 3)).toEqual([]);
    // Both outcomes occur: the fuzzing reaches past the first check.
    expect(outcomes.errors).toBeGreaterThan(300);
    expect(outcomes.batches).toBeGreaterThan(100);
  });
});
