import {
  existsSync,
  lstatSync,
  readFileSync,
  readdirSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../io.js';
import { countProgress } from './count-progress.js';
import {
  annotate,
  masksByPath,
  openTestProject,
  photoDataset,
  PHOTOS,
  run,
  tempRoot,
} from './project-test-support.js';

const root = tempRoot('sam-cli-export-');
let dataset: string;
let outCount = 0;
const out = (): string => path.join(root.path, `out-${++outCount}`);

beforeAll(() => {
  dataset = photoDataset(root.path, 'photos');
  annotate(dataset);
});
afterAll(() => root.cleanup());

function readText(...parts: string[]): string {
  return readFileSync(path.join(...parts), 'utf8');
}

/** A YOLO label file's lines as numbers. */
function labelLines(file: string): number[][] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' ').map(Number));
}

describe('sam-annotator export', () => {
  it('writes COCO with exact RLE, sizing the never-opened image from its header', async () => {
    const dest = out();
    const { code, out: stdout } = await run(
      'export',
      dataset,
      '--format',
      'coco',
      '--out',
      dest,
      '--json',
    );
    expect(code).toBe(EXIT.ok);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({
      format: 'coco',
      destination: dest,
      images: 4,
      objects: 4,
      warnings: [],
      // Only chelsea.png: the other images took the size of their masks when annotated.
      headersRead: 1,
    });
    expect(summary.elapsedMs).toBeGreaterThanOrEqual(0);

    const coco = JSON.parse(readText(dest, 'annotations', 'instances_default.json'));
    expect(coco.categories.map((c: { name: string }) => c.name)).toEqual([
      'horse',
      'coin',
      'rocket',
    ]);
    const sizes = Object.fromEntries(
      coco.images.map((i: { file_name: string; width: number; height: number }) => [
        i.file_name,
        [i.width, i.height],
      ]),
    );
    for (const photo of Object.values(PHOTOS)) {
      expect(sizes[photo.path]).toEqual([photo.width, photo.height]);
    }
    const store = openTestProject(dataset);
    try {
      // Every mask is written exactly as stored.
      const stored = Object.values(masksByPath(store))
        .flat()
        .map((m) => m.counts)
        .sort();
      const written = coco.annotations
        .map((a: { segmentation: { counts: string } }) => a.segmentation.counts)
        .sort();
      expect(written).toEqual(stored);
      // The header read for the export is kept, so the next one does not read it again.
      expect(store.images.findByPath(PHOTOS.chelsea.path)).toMatchObject({
        width: PHOTOS.chelsea.width,
        height: PHOTOS.chelsea.height,
      });
    } finally {
      store.close();
    }
  });

  it('writes COCO polygons and says which object lost its hole', async () => {
    const dest = out();
    const { code, out: stdout } = await run(
      'export',
      dataset,
      '--format',
      'coco',
      '--segmentation',
      'polygon',
      '--out',
      dest,
    );
    expect(code).toBe(EXIT.ok);
    expect(stdout).toMatch(
      new RegExp(`^exported 4 objects on 4 images as coco to ${dest} \\(1 file\\) in [\\d.]+ s\\n`),
    );
    expect(stdout).toMatch(/warning: 1 object with holes: .*sub\/coins\.png#/);
    const coco = JSON.parse(readText(dest, 'annotations', 'instances_default.json'));
    for (const a of coco.annotations) expect(Array.isArray(a.segmentation)).toBe(true);
  });

  it('writes YOLO detection (for --format yolo) cut into splits, linking the images', async () => {
    const dest = out();
    const { code } = await run(
      'export',
      dataset,
      '--format',
      'yolo',
      '--split',
      'train=0.5,val=0.5',
      '--out',
      dest,
    );
    expect(code).toBe(EXIT.ok);
    const yaml = readText(dest, 'data.yaml');
    expect(yaml).toContain('detection');
    expect(yaml).toMatch(/names:\n {2}0: "horse"\n {2}1: "coin"\n {2}2: "rocket"/);
    const listed = ['train.txt', 'val.txt']
      .flatMap((f) => readText(dest, f).split('\n'))
      .filter(Boolean)
      .sort();
    expect(listed).toEqual(
      Object.values(PHOTOS)
        .map((p) => `./images/${p.path}`)
        .sort(),
    );
    // The horse box [40, 30, 200, 150] on 400x328, as centre and size.
    const [horse] = labelLines(path.join(dest, 'labels', 'horse.txt'));
    expect(horse![0]).toBe(0);
    expect(horse!.slice(1)).toEqual(
      [140 / 400, 105 / 328, 200 / 400, 150 / 328].map((v) => expect.closeTo(v, 6)),
    );
    expect(labelLines(path.join(dest, 'labels', 'sub', 'coins.txt')).map((l) => l[0])).toEqual([
      1, 1,
    ]);
    const link = path.join(dest, 'images', 'sub', 'deeper', 'rocket.jpg');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(realpathSync(link)).toBe(realpathSync(path.join(dataset, PHOTOS.rocket.path)));
  });

  it('writes YOLO segmentation polygons with copied images', async () => {
    const dest = out();
    const { code } = await run(
      'export',
      dataset,
      '--format',
      'yolo-seg',
      '--copy-images',
      '--out',
      dest,
    );
    expect(code).toBe(EXIT.ok);
    const coins = labelLines(path.join(dest, 'labels', 'sub', 'coins.txt'));
    expect(coins).toHaveLength(2);
    for (const line of coins) {
      expect(line[0]).toBe(1);
      expect((line.length - 1) % 2).toBe(0);
      expect(line.length - 1).toBeGreaterThanOrEqual(8);
      for (const v of line.slice(1)) expect(v).toBeGreaterThanOrEqual(0);
    }
    const copy = path.join(dest, 'images', PHOTOS.horse.path);
    expect(lstatSync(copy).isFile()).toBe(true);
    expect(readFileSync(copy)).toEqual(readFileSync(path.join(dataset, PHOTOS.horse.path)));
  });

  it('writes Pascal VOC: XML, index masks at the image size and the label map', async () => {
    const dest = out();
    const { code } = await run('export', dataset, '--format', 'voc', '--out', dest);
    expect(code).toBe(EXIT.ok);
    expect(readText(dest, 'labelmap.txt')).toMatch(/^background:0,0,0::\nhorse:[\d,]+::\ncoin:/m);
    const xml = readText(dest, 'Annotations', 'sub', 'coins.xml');
    expect(xml.match(/<name>coin<\/name>/g)).toHaveLength(2);
    const mask = await sharp(path.join(dest, 'SegmentationObject', 'sub', 'coins.png')).metadata();
    expect([mask.width, mask.height]).toEqual([PHOTOS.coins.width, PHOTOS.coins.height]);
    expect(existsSync(path.join(dest, 'SegmentationClass', 'chelsea.png'))).toBe(true);
    expect(
      readText(dest, 'ImageSets', 'Segmentation', 'default.txt').trim().split('\n'),
    ).toHaveLength(4);
  });

  it("writes the seed tool's layout: class CSV and normalised outlines", async () => {
    const dest = out();
    const { code } = await run('export', dataset, '--format', 'seed', '--out', dest);
    expect(code).toBe(EXIT.ok);
    expect(readText(dest, 'classes.csv')).toBe('class_name\nhorse\ncoin\nrocket\n');
    const [rocket] = labelLines(path.join(dest, 'labels', 'sub', 'deeper', 'rocket.txt'));
    expect(rocket![0]).toBe(2);
    expect(readText(dest, 'labels', 'chelsea.txt')).toBe('');
  });

  it('refuses an existing destination unless --overwrite, and leaves it as it was', async () => {
    const dest = out();
    expect((await run('export', dataset, '--format', 'seed', '--out', dest)).code).toBe(EXIT.ok);
    const before = readdirSync(dest).sort();
    const again = await run('export', dataset, '--format', 'coco', '--out', dest);
    expect(again.code).toBe(EXIT.usage);
    expect(again.err).toContain(`destination ${dest} already exists`);
    expect(readdirSync(dest).sort()).toEqual(before);
    const replaced = await run('export', dataset, '--format', 'coco', '--out', dest, '--overwrite');
    expect(replaced.code).toBe(EXIT.ok);
    expect(readdirSync(dest).sort()).toEqual(['annotations']);
  });

  it('refuses options the format does not have, bad splits and a missing --format', async () => {
    const dest = out();
    const cases: [string[], string][] = [
      [
        ['--format', 'yolo', '--segmentation', 'rle'],
        '--segmentation applies to --format coco only',
      ],
      [
        ['--format', 'seed', '--split', 'train=1'],
        '--split applies to --format coco, yolo-det, yolo-seg, voc only',
      ],
      [['--format', 'coco', '--split', 'train=0.7'], '--split'],
      [['--format', 'yolo', '--split', 'a=0.5,b=0.5'], '"train"'],
      [[], "required option '--format <format>' not specified"],
      [['--format', 'pascal'], "'pascal' is invalid"],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await run('export', dataset, ...args, '--out', dest);
      expect(code, args.join(' ')).toBe(EXIT.usage);
      expect(err).toContain(message);
    }
    expect(existsSync(dest)).toBe(false);
  });

  it('names a broken image when its size cannot be known', async () => {
    const dir = photoDataset(root.path, 'broken');
    // An image that is not one: no header, no objects, so no size to write.
    writeFileSync(path.join(dir, 'fake.png'), 'not a png');
    const dest = out();
    const { code, err } = await run('export', dir, '--format', 'coco', '--out', dest);
    expect(code).toBe(EXIT.error);
    expect(err).toContain('images[fake.png]');
    expect(err).toContain(path.join(dir, 'fake.png'));
    expect(existsSync(dest)).toBe(false);
  });
});

describe('export progress', () => {
  it('stays quiet for a short run, then prints a line per interval but none for the last image', () => {
    const lines: string[] = [];
    let t = 0;
    const progress = countProgress({ out: () => {}, err: (s) => lines.push(s) }, 'exporting', {
      delayMs: 1000,
      intervalMs: 2000,
      now: () => t,
    });
    progress.update(1, 10);
    t = 999;
    progress.update(2, 10);
    t = 1000;
    progress.update(3, 10);
    t = 2500;
    progress.update(4, 10);
    t = 3000;
    progress.update(5, 10);
    t = 9000;
    progress.update(10, 10);
    progress.stop();
    expect(lines).toEqual(['exporting 3/10', 'exporting 5/10']);
  });

  it('draws a bar on a terminal once the delay has passed', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    let drawn = '';
    stream.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
    let t = 0;
    const progress = countProgress({ out: () => {}, err: () => {} }, 'exporting coco: image', {
      tty: stream,
      now: () => t,
    });
    progress.update(1, 50);
    expect(drawn).toBe('');
    t = 5000;
    progress.update(20, 50);
    progress.stop();
    expect(drawn).toContain('exporting coco: image [');
    expect(drawn).toContain('20/50');
  });
});
