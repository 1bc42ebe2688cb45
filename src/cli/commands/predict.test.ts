import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitmapFrom, bitmapIou, decodeRle, type CompressedRle } from '../../geometry/index.js';
import { testPairFolder } from '../../model/open-segmenter-test-support.js';
import { objectsScene, type ObjectsScene } from '../../../tools/test-models/test-support.js';
import { EXIT, type CliIO } from '../io.js';
import { main } from '../main.js';

let tmp: string;
let scene: ObjectsScene;
let picture: string;
let singleMaskModel: string;
let multiMaskModel: string;

interface CandidateJson {
  rank: number;
  bbox: [number, number, number, number];
  area: number;
  predictedIou: number;
  stabilityScore: number;
  rle: CompressedRle;
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-cli-predict-'));
  scene = objectsScene(640, 480);
  picture = path.join(tmp, 'objects.png');
  await sharp(scene.rgb, { raw: { width: scene.width, height: scene.height, channels: 3 } })
    .png()
    .toFile(picture);
  singleMaskModel = (await testPairFolder(tmp, 'encoderA2', 'decoderSingle', 'single')).dir;
  multiMaskModel = (await testPairFolder(tmp, 'encoderA1', 'decoderMulti', 'multi')).dir;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') };
  const code = await main(argv, io);
  return { code, out, err };
}

function iouWith(rle: CompressedRle, name: keyof ObjectsScene['masks'] & string): number {
  return bitmapIou(decodeRle(rle), bitmapFrom(scene.width, scene.height, scene.masks[name]!));
}

const at = (name: keyof ObjectsScene['inside']): string => scene.inside[name].join(',');

describe('sam-annotator predict with a SAM model folder', () => {
  it('returns the clicked object as JSON: RLE at the original size, bbox, area, scores', async () => {
    const { code, out } = await run(
      'predict',
      picture,
      '--model',
      singleMaskModel,
      '--point',
      at('blue'),
      '--json',
    );
    expect(code).toBe(EXIT.ok);
    const result = JSON.parse(out);
    expect(result).toMatchObject({
      image: picture,
      size: { width: 640, height: 480 },
      model: 'single',
      out: null,
    });
    const candidates = result.candidates as CandidateJson[];
    expect(candidates).toHaveLength(1);
    const best = candidates[0]!;
    expect(best.rle.size).toEqual([480, 640]);
    expect(typeof best.rle.counts).toBe('string');
    expect(iouWith(best.rle, 'blue')).toBeGreaterThanOrEqual(0.9);
    const mask = decodeRle(best.rle);
    expect(best.area).toBe(mask.data.reduce((sum, v) => sum + v, 0));
    const [cx, cy] = scene.inside.blue;
    const [x, y, w, h] = best.bbox;
    expect(x < cx && cx < x + w && y < cy && cy < y + h).toBe(true);
    expect(best.predictedIou).toBeGreaterThan(0);
    expect(best.stabilityScore).toBeGreaterThan(0.5);
  });

  it('lists every candidate of a multimask model best first, and a box selects what is inside', async () => {
    const clicked = await run(
      'predict',
      picture,
      '--model',
      multiMaskModel,
      '--point',
      at('rect'),
      '--json',
    );
    expect(clicked.code).toBe(EXIT.ok);
    const candidates = JSON.parse(clicked.out).candidates as CandidateJson[];
    expect(candidates.length).toBe(3);
    const scores = candidates.map((c) => c.predictedIou);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(Math.max(...candidates.map((c) => iouWith(c.rle, 'rect')))).toBeGreaterThanOrEqual(0.9);

    const [x0, y0, x1, y1] = scene.blueBox.map(Math.round);
    const boxed = await run(
      'predict',
      picture,
      '--model',
      multiMaskModel,
      '--box',
      `${x1},${y1},${x0},${y0}`,
      '--json',
    );
    expect(boxed.code).toBe(EXIT.ok);
    const fromBox = JSON.parse(boxed.out).candidates as CandidateJson[];
    expect(Math.max(...fromBox.map((c) => iouWith(c.rle, 'blue')))).toBeGreaterThanOrEqual(0.9);
  });

  it('prints one line per candidate without --json', async () => {
    const { code, out, err } = await run(
      'predict',
      picture,
      '--model',
      multiMaskModel,
      '--point',
      at('twin'),
    );
    expect(code).toBe(EXIT.ok);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const [i, line] of lines.entries()) {
      expect(line).toMatch(
        new RegExp(
          `^${i + 1} iou=\\d\\.\\d{3} stability=\\d\\.\\d{3} area=\\d+ bbox=\\d+,\\d+,\\d+,\\d+$`,
        ),
      );
    }
    expect(err).toContain('3 candidates from multi for 640x480');
  });
});

describe('sam-annotator predict with the embedded default segmenter', () => {
  it('covers the clicked object and writes the best mask as a PNG at the original size', async () => {
    const out = path.join(tmp, 'masks', 'blue.png');
    rmSync(path.dirname(out), { recursive: true, force: true });
    const missingFolder = await run('predict', picture, '--point', at('blue'), '--out', out);
    expect(missingFolder.code).toBe(EXIT.error);
    expect(missingFolder.err).toContain(`Cannot write the mask to ${out}`);

    const file = path.join(tmp, 'blue.png');
    const { code, out: stdout } = await run(
      'predict',
      picture,
      '--point',
      at('blue'),
      '--point',
      `${at('rect')},0`,
      '--out',
      file,
      '--json',
    );
    expect(code).toBe(EXIT.ok);
    const result = JSON.parse(stdout);
    expect(result.model).toBe('default');
    expect(result.out).toBe(file);
    const best = (result.candidates as CandidateJson[])[0]!;
    expect(iouWith(best.rle, 'blue')).toBeGreaterThanOrEqual(0.9);

    const meta = await sharp(file).metadata();
    expect([meta.format, meta.space, meta.channels]).toEqual(['png', 'b-w', 1]);
    const { data, info } = await sharp(file)
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([640, 480, 1]);
    expect(new Set(data)).toEqual(new Set([0, 255]));
    const mask = decodeRle(best.rle);
    expect(data.every((v, i) => v === (mask.data[i] ? 255 : 0))).toBe(true);
    // Written through a temporary file that is gone now.
    expect(readdirSync(tmp).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('sam-annotator predict usage errors', () => {
  it.each([
    ['1,a', '--point <x,y[,label]>', '"1,a"'],
    ['10,20,2', '--point <x,y[,label]>', '"10,20,2"'],
    ['10', '--point <x,y[,label]>', '"10"'],
  ])('refuses --point %s naming the flag and value (exit 2)', async (value, flag, quoted) => {
    const { code, err } = await run('predict', picture, '--point', value);
    expect(code).toBe(EXIT.usage);
    expect(err).toContain(flag);
    expect(err).toContain(quoted);
  });

  it('refuses points and boxes outside the image, and a prompt with neither', async () => {
    const outside = await run('predict', picture, '--point', '5,5', '--point', '700,10');
    expect(outside.code).toBe(EXIT.usage);
    expect(outside.err).toContain('--point 700,10 lies outside the 640x480 image');
    const box = await run('predict', picture, '--box', '10,10,10,400');
    expect(box.code).toBe(EXIT.usage);
    expect(box.err).toContain('--box 10,10,10,400 must be at least one pixel wide');
    const badBox = await run('predict', picture, '--box', '1,2,3');
    expect(badBox.code).toBe(EXIT.usage);
    expect(badBox.err).toContain('"1,2,3"');
    const none = await run('predict', picture);
    expect(none.code).toBe(EXIT.usage);
    expect(none.err).toContain('give at least one --point');
  });

  it('names the flag of a prompt the model refuses, and a --model it cannot find', async () => {
    // Only a negative click: the default segmenter needs something to add.
    const negative = await run('predict', picture, '--point', `${at('blue')},0`);
    expect(negative.code).toBe(EXIT.usage);
    expect(negative.err).toMatch(/error: --point.*positive point/);
    const unknown = await run(
      'predict',
      picture,
      '--point',
      at('blue'),
      '--model',
      path.join(tmp, 'nowhere'),
    );
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.err).toContain(path.join(tmp, 'nowhere'));
  });

  it('reports a file that is no picture as an error naming it', async () => {
    const { code, err } = await run(
      'predict',
      path.join(tmp, 'single', 'sam1-a2.encoder.onnx'),
      '--point',
      '1,1',
    );
    expect(code).toBe(EXIT.error);
    expect(err).toContain('sam1-a2.encoder.onnx');
  });
});
