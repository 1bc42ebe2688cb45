import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/index.js';
import { ImageIndex, ImageService } from '../../dataset/index.js';
import { TEST_HOST_BUDGET } from '../../dataset/test-fixtures.js';
import { SegmentationEngine } from '../../model/embedding/index.js';
import { openSegmenter } from '../../model/open-segmenter.js';
import { testPairFolder } from '../../model/open-segmenter-test-support.js';
import { objectsScene } from '../../../tools/test-models/test-support.js';
import { EXIT, type CliIO } from '../io.js';
import { main } from '../main.js';
import { embedProgressReporter, formatDuration, type EmbedProgress } from './embed.js';

let tmp: string;
let modelDir: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-cli-embed-'));
  modelDir = (await testPairFolder(tmp, 'encoderA2', 'decoderSingle', 'pair')).dir;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') };
  const code = await main(argv, io);
  return { code, out, err };
}

/** A JPEG of the objects scene; `shade` shifts the background so every picture differs. */
async function writePicture(file: string, shade: number): Promise<void> {
  const scene = objectsScene(320 + shade, 240);
  await sharp(scene.rgb, { raw: { width: scene.width, height: scene.height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toFile(file);
}

/** A dataset folder: `count` good pictures (one in a subfolder) and a JPEG cut in its pixels. */
async function dataset(name: string, count: number): Promise<string> {
  const dir = path.join(tmp, name);
  mkdirSync(path.join(dir, 'sub'), { recursive: true });
  for (let i = 0; i < count; i++) {
    await writePicture(path.join(dir, i === 0 ? 'sub' : '', `img-${i}.jpg`), i * 8);
  }
  const cut = objectsScene(640, 480);
  const whole = await sharp(cut.rgb, { raw: { width: 640, height: 480, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
  writeFileSync(path.join(dir, 'cut.jpg'), whole.subarray(0, Math.floor(whole.length * 0.5)));
  return dir;
}

/** Entry files of the disk cache with their modification times. */
function cacheFiles(cacheDir: string): Map<string, number> {
  const files = readdirSync(cacheDir).filter((name) => name.endsWith('.entry'));
  return new Map(files.map((name) => [name, statSync(path.join(cacheDir, name)).mtimeMs]));
}

describe('sam-annotator embed', () => {
  it('embeds every image into the project cache, lists the broken one, and skips all on a rerun', async () => {
    const dir = await dataset('photos', 4);
    const first = await run('embed', dir, '--model', modelDir, '--json');
    expect(first.code).toBe(EXIT.problemsFound);
    const summary = JSON.parse(first.out);
    const cacheDir = path.join(dir, '.sam-annotator', 'cache', 'embeddings', 'pair');
    expect(summary).toMatchObject({
      root: dir,
      model: 'pair',
      cacheDir,
      images: 5,
      encoded: 4,
      cached: 0,
      notStored: [],
      interrupted: false,
    });
    expect(summary.broken).toEqual([
      {
        path: 'cut.jpg',
        reason: 'truncated',
        message: expect.stringContaining(path.join(dir, 'cut.jpg')),
      },
    ]);
    const written = cacheFiles(cacheDir);
    expect(written.size).toBe(4);

    const second = await run('embed', dir, '--model', modelDir, '--json');
    expect(second.code).toBe(EXIT.problemsFound);
    expect(JSON.parse(second.out)).toMatchObject({ encoded: 0, cached: 4, images: 5 });
    // Not one entry was written (or even read) again.
    expect(cacheFiles(cacheDir)).toEqual(written);

    // A new picture is the only one encoded by the next run.
    await writePicture(path.join(dir, 'new.jpg'), 100);
    const third = await run('embed', dir, '--model', modelDir, '--json');
    expect(JSON.parse(third.out)).toMatchObject({ encoded: 1, cached: 4, images: 6 });
    expect(cacheFiles(cacheDir).size).toBe(5);
  });

  it('stores embeddings the annotation engine then reads from disk instead of encoding', async () => {
    const dir = await dataset('engine', 2);
    rmSync(path.join(dir, 'cut.jpg'));
    const { code, out } = await run('embed', dir, '--model', modelDir);
    expect(code).toBe(EXIT.ok);
    expect(out).toMatch(
      /^embedded 2 of 2 images with pair in \d+ s; 0 were cached already, 0 broken\n/,
    );

    const config = defaultConfig();
    const index = ImageIndex.open(dir);
    const segmenter = await openSegmenter(modelDir, { config });
    const engine = new SegmentationEngine({
      segmenter,
      images: new ImageService(index, config, { hostBudgetBytes: TEST_HOST_BUDGET }),
      config,
      embeddingsDir: path.join(dir, '.sam-annotator', 'cache', 'embeddings'),
    });
    try {
      const id = index.entries()[0]!.id;
      const scene = objectsScene(320 + 8, 240);
      const [x, y] = scene.inside.blue;
      const result = await engine.predict(id, { points: [{ x, y, label: 1 }] });
      expect(result.embeddingTier).toBe('disk');
      expect(result.candidates[0]!.area).toBeGreaterThan(0);
      expect(engine.stats().embeddings.encoder.runs).toBe(0);
    } finally {
      await engine.close();
      await segmenter.release();
    }
  });

  it('embeds with the default segmenter into --project, leaving the dataset folder as it was', async () => {
    const dir = await dataset('readonly', 2);
    const project = path.join(tmp, 'project');
    const before = readdirSync(dir).sort();
    const { code, out, err } = await run('embed', dir, '--project', project);
    expect(code).toBe(EXIT.problemsFound);
    expect(out).toContain('embedded 2 of 3 images with default');
    expect(out).toContain(`broken: Cannot decode ${path.join(dir, 'cut.jpg')}`);
    // Only progress lines on stderr (a slow run gets one every two seconds).
    for (const line of err.split('\n').filter(Boolean)) expect(line).toMatch(/^embedding \d+\/3: /);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(cacheFiles(path.join(project, 'cache', 'embeddings', 'default')).size).toBe(2);
  });

  it('refuses a --model it cannot find and a missing folder', async () => {
    const dir = await dataset('refused', 1);
    const unknown = await run('embed', dir, '--model', path.join(tmp, 'no-model-here'));
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.err).toContain(path.join(tmp, 'no-model-here'));
    expect(existsSync(path.join(dir, '.sam-annotator', 'cache'))).toBe(false);
    const missing = await run('embed', path.join(tmp, 'missing'));
    expect(missing.code).toBe(EXIT.error);
    expect(missing.err).toContain(path.join(tmp, 'missing'));
    const off = await run('embed', dir, '--set', 'cache.embeddings.diskMax=0');
    expect(off.code).toBe(EXIT.usage);
    expect(off.err).toContain('cache.embeddings.diskMax = 0');
  });
});

describe('embed progress', () => {
  const step = (done: number, etaMs: number | null): EmbedProgress => ({
    done,
    total: 10,
    encoded: done - 1,
    cached: 1,
    broken: 0,
    etaMs,
  });

  it('draws a bar with counts and the ETA on a terminal', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 160 });
    let drawn = '';
    stream.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
    const reporter = embedProgressReporter({ out: () => {}, err: () => {} }, stream);
    reporter.update(step(1, null));
    reporter.update(step(4, 95_000));
    reporter.stop();
    expect(drawn).toContain('embedding [');
    expect(drawn).toContain('4/10 | 3 encoded, 1 cached, 0 broken | ETA 1 min 35 s');
  });

  it('writes plain lines without a terminal, none for the last image', () => {
    const lines: string[] = [];
    const reporter = embedProgressReporter(
      { out: () => {}, err: (t) => lines.push(t) },
      undefined,
      0,
    );
    reporter.update(step(2, 3_600_000 + 120_000));
    reporter.update(step(10, 0));
    expect(lines).toEqual(['embedding 2/10: 1 encoded, 1 cached, 0 broken, ETA 1 h 02 min']);
  });

  it('formats durations', () => {
    expect([formatDuration(null), formatDuration(400), formatDuration(61_000)]).toEqual([
      '?',
      '0 s',
      '1 min 01 s',
    ]);
  });
});
