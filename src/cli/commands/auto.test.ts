import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bitmapArea,
  bitmapFrom,
  bitmapIou,
  decodeRle,
  rleBbox,
  type Bitmap,
} from '../../geometry/index.js';
import type { CocoDocument } from '../../model/auto/index.js';
import { testPairFolder } from '../../model/open-segmenter-test-support.js';
import { objectsScene, type ObjectsScene } from '../../../tools/test-models/test-support.js';
import { EXIT, type CliIO } from '../io.js';
import { main } from '../main.js';

let tmp: string;
let dataset: string;
let model: string;
const scenes: Record<string, ObjectsScene> = {};

async function writePng(file: string, scene: ObjectsScene): Promise<void> {
  const raw = { width: scene.width, height: scene.height, channels: 3 as const };
  await sharp(scene.rgb, { raw }).png().toFile(file);
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-cli-auto-'));
  dataset = path.join(tmp, 'photos');
  mkdirSync(path.join(dataset, 'sub'), { recursive: true });
  scenes['a.png'] = objectsScene(320, 240);
  scenes['sub/b.png'] = objectsScene(240, 300);
  for (const [name, scene] of Object.entries(scenes))
    await writePng(path.join(dataset, name), scene);
  model = (await testPairFolder(tmp, 'encoderA2', 'decoderMulti', 'pair')).dir;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') };
  const code = await main(argv, io);
  return { code, out, err };
}

function readCoco(file: string): CocoDocument {
  return JSON.parse(readFileSync(file, 'utf8')) as CocoDocument;
}

/** Valid COCO instances: ids, sizes, and every RLE decodes to its annotation's area and box. */
function expectValidCoco(doc: CocoDocument): void {
  expect(doc.categories).toEqual([{ id: 1, name: 'object' }]);
  const images = new Map(doc.images.map((image) => [image.id, image]));
  expect(images.size).toBe(doc.images.length);
  expect(new Set(doc.annotations.map((a) => a.id)).size).toBe(doc.annotations.length);
  for (const a of doc.annotations) {
    const image = images.get(a.image_id)!;
    expect(image).toBeDefined();
    expect(a.category_id).toBe(1);
    expect(a.iscrowd).toBe(0);
    expect(typeof a.segmentation.counts).toBe('string');
    expect(a.segmentation.size).toEqual([image.height, image.width]);
    expect(bitmapArea(decodeRle(a.segmentation))).toBe(a.area);
    expect(rleBbox(a.segmentation)).toEqual(a.bbox);
    expect(a.score).toBeGreaterThan(0);
  }
}

function knownMask(name: string, object: 'rect' | 'twin' | 'blue'): Bitmap {
  const scene = scenes[name]!;
  return bitmapFrom(scene.width, scene.height, scene.masks[object]!);
}

describe('sam-annotator auto with a SAM model', () => {
  it('writes COCO instances for every image of the folder, with progress on stderr', async () => {
    const out = path.join(tmp, 'sam.json');
    writeFileSync(out, 'an older result, replaced');
    const {
      code,
      out: stdout,
      err,
    } = await run(
      'auto',
      dataset,
      '--model',
      model,
      '--out',
      out,
      '--points-per-side',
      '4',
      '--pred-iou-thresh',
      '0.5',
      '--stability-thresh',
      '0.9',
    );
    expect(err).toMatch(/segmenting 2 images with pair \(4x4 points, predicted IoU > 0\.5/);
    expect(err).toMatch(/\[1\/2\] a\.png: \d+ masks in [\d.]+ s/);
    expect(err).toMatch(/\[2\/2\] sub\/b\.png: \d+ masks in [\d.]+ s/);
    expect(code).toBe(EXIT.ok);
    const doc = readCoco(out);
    expect(stdout).toContain(`wrote ${doc.annotations.length} masks for 2 images to ${out}`);
    expect(
      doc.images.map(({ id, file_name, width, height }) => ({ id, file_name, width, height })),
    ).toEqual([
      { id: 1, file_name: 'a.png', width: 320, height: 240 },
      { id: 2, file_name: 'sub/b.png', width: 240, height: 300 },
    ]);
    expectValidCoco(doc);
    // The blue disc of each picture is among its masks.
    for (const image of doc.images) {
      const ious = doc.annotations
        .filter((a) => a.image_id === image.id)
        .map((a) => bitmapIou(decodeRle(a.segmentation), knownMask(image.file_name, 'blue')));
      expect(Math.max(...ious), image.file_name).toBeGreaterThanOrEqual(0.9);
    }
    // Written through a temporary file that is gone.
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reads the embeddings `embed` cached instead of encoding again, and caches its own', async () => {
    const folder = path.join(tmp, 'cached');
    mkdirSync(folder);
    await writePng(path.join(folder, 'a.png'), scenes['a.png']!);
    await writePng(path.join(folder, 'c.png'), objectsScene(200, 160));
    const cacheDir = path.join(folder, '.sam-annotator', 'cache', 'embeddings', 'pair');
    const embedded = await run('embed', folder, '--model', model);
    expect(embedded.code).toBe(EXIT.ok);
    // A picture added after `embed`: auto encodes it and stores its embedding.
    await writePng(path.join(folder, 'd.png'), objectsScene(180, 200));
    const entries = () => readdirSync(cacheDir).filter((f) => f.endsWith('.entry')).length;
    expect(entries()).toBe(2);

    const settings = ['--points-per-side', '3', '--pred-iou-thresh', '0.5'];
    const out = path.join(tmp, 'cached.json');
    const first = await run('auto', folder, '--model', model, '--out', out, ...settings);
    expect(first.code).toBe(EXIT.ok);
    expect(first.err).toMatch(/a\.png: \d+ masks in [\d.]+ s, embedding from the cache/);
    expect(first.err).toMatch(/c\.png: \d+ masks in [\d.]+ s, embedding from the cache/);
    expect(first.err).toMatch(/d\.png: \d+ masks in [\d.]+ s\n/);
    expect(entries()).toBe(3);
    const again = await run('auto', folder, '--model', model, '--out', out, ...settings);
    expect(again.err).toMatch(/d\.png: \d+ masks in [\d.]+ s, embedding from the cache/);
    expectValidCoco(readCoco(out));
    // The project folder is not a picture folder of the dataset.
    expect(readCoco(out).images.map((i) => i.file_name)).toEqual(['a.png', 'c.png', 'd.png']);
  });

  it('refuses an unknown model, a bad folder, a bad setting and a missing output folder', async () => {
    const out = path.join(tmp, 'never.json');
    const unknown = await run('auto', dataset, '--model', 'no-such-model', '--out', out);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.err).toMatch(/--model no-such-model/);

    const missing = path.join(tmp, 'missing-folder');
    const badDir = await run('auto', missing, '--model', model, '--out', out);
    expect(badDir.code).toBe(EXIT.usage);
    expect(badDir.err).toContain(`Cannot open dataset folder ${missing}`);

    const badGrid = await run(
      'auto',
      dataset,
      '--model',
      model,
      '--out',
      out,
      '--points-per-side',
      '0',
    );
    expect(badGrid.code).toBe(EXIT.usage);
    expect(badGrid.err).toMatch(
      /--points-per-side: pointsPerSide must be a whole number from 1 to 1024, got 0/,
    );

    const notNumber = await run('auto', dataset, '--out', out, '--min-area', 'lots');
    expect(notNumber.code).toBe(EXIT.usage);
    expect(notNumber.err).toMatch(/expected a number, got "lots"/);

    const noOut = await run('auto', dataset, '--model', model);
    expect(noOut.code).toBe(EXIT.usage);
    expect(noOut.err).toMatch(/--out/);

    const outFolder = path.join(tmp, 'nowhere', 'result.json');
    const badOut = await run('auto', dataset, '--model', model, '--out', outFolder);
    expect(badOut.code).toBe(EXIT.usage);
    expect(badOut.err).toContain(`the folder ${path.join(tmp, 'nowhere')} does not exist`);
    expect(readdirSync(tmp)).not.toContain('never.json');
  });
});

describe('sam-annotator auto without --model', () => {
  it('uses the built-in segmenter, says so, and skips unreadable images (exit code 3)', async () => {
    const folder = path.join(tmp, 'with-broken');
    mkdirSync(folder);
    await writePng(path.join(folder, 'small.png'), objectsScene(160, 120));
    writeFileSync(path.join(folder, 'empty.png'), '');
    const out = path.join(tmp, 'default.json');
    const {
      code,
      out: stdout,
      err,
    } = await run('auto', folder, '--out', out, '--points-per-side', '2');
    expect(err).toMatch(/no --model given: using the built-in weight-free segmenter/);
    expect(err).toMatch(/empty\.png: skipped: /);
    expect(code).toBe(EXIT.problemsFound);
    expect(stdout).toMatch(/for 1 images .* \(1 images skipped\)/);
    const doc = readCoco(out);
    expect(doc.images.map((i) => i.file_name)).toEqual(['small.png']);
    expect(doc.annotations.length).toBeGreaterThan(0);
    expectValidCoco(doc);
    expect(doc.info.description).toMatch(/default, 2x2 points/);
  });
});
