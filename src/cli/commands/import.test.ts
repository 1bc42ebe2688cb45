import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../io.js';
import {
  annotate,
  masksByPath,
  openTestProject,
  photoDataset,
  PHOTOS,
  projectSnapshot,
  run,
  tempRoot,
} from './project-test-support.js';

const root = tempRoot('sam-cli-import-');
/** Annotated through the store; exports of it are the inputs. */
let source: string;
let sourceMasks: ReturnType<typeof masksByPath>;
let counter = 0;
const fresh = (what: string): string => path.join(root.path, `${what}-${++counter}`);

beforeAll(() => {
  source = photoDataset(root.path, 'source');
  annotate(source);
  const store = openTestProject(source);
  sourceMasks = masksByPath(store);
  store.close();
});
afterAll(() => root.cleanup());

async function exported(format: string): Promise<string> {
  const dest = fresh(`export-${format}`);
  const { code, err } = await run('export', source, '--format', format, '--out', dest);
  expect(code, err).toBe(EXIT.ok);
  return dest;
}

function masksOf(dataset: string, projectDir: string): ReturnType<typeof masksByPath> {
  const store = openTestProject(dataset, projectDir);
  try {
    return masksByPath(store);
  } finally {
    store.close();
  }
}

describe('sam-annotator import', () => {
  it('round-trips COCO: the masks of a fresh project are the exported ones, bit for bit', async () => {
    const coco = path.join(await exported('coco'), 'annotations', 'instances_default.json');
    const project = fresh('project');
    const { code, out } = await run('import', source, coco, '--project', project, '--json');
    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(out)).toMatchObject({
      source: coco,
      format: 'coco',
      mode: 'merge',
      images: 4,
      imagesChanged: 3,
      objectsAdded: 4,
      objectsRemoved: 0,
      classesAdded: ['horse', 'coin', 'rocket'],
      notes: [],
    });
    expect(masksOf(source, project)).toEqual(sourceMasks);
  });

  it('round-trips Pascal VOC exactly, the format detected from the folder', async () => {
    const voc = await exported('voc');
    const project = fresh('project');
    const { code, out } = await run('import', source, voc, '--project', project);
    expect(code).toBe(EXIT.ok);
    expect(out).toMatch(/^imported 4 objects on 3 of 4 images \(voc, merge\) in [\d.]+ s\n/);
    expect(out).toContain('new classes: horse, coin, rocket');
    expect(masksOf(source, project)).toEqual(sourceMasks);
  });

  it('reads YOLO segmentation and the seed layout back as the same objects and classes', async () => {
    for (const format of ['yolo-seg', 'seed']) {
      const project = fresh('project');
      const input = await exported(format);
      const { code, out, err } = await run(
        'import',
        source,
        input,
        '--format',
        format,
        '--project',
        project,
        '--json',
      );
      expect(code, err).toBe(EXIT.ok);
      expect(JSON.parse(out)).toMatchObject({ objectsAdded: 4, imagesChanged: 3 });
      const masks = masksOf(source, project);
      expect(Object.keys(masks).sort()).toEqual(Object.keys(sourceMasks).sort());
      for (const [imagePath, objects] of Object.entries(masks)) {
        expect(objects.map((o) => o.className)).toEqual(
          sourceMasks[imagePath]!.map((o) => o.className),
        );
      }
    }
  });

  it('merges beside existing objects, or replaces those of the images it names', async () => {
    const coco = path.join(await exported('coco'), 'annotations', 'instances_default.json');
    const dataset = photoDataset(root.path, 'merge');
    const first = await run('import', dataset, coco, '--json');
    expect(JSON.parse(first.out)).toMatchObject({
      objectsAdded: 4,
      classesAdded: ['horse', 'coin', 'rocket'],
    });
    const merged = await run('import', dataset, coco, '--mode', 'merge', '--json');
    expect(JSON.parse(merged.out)).toMatchObject({
      objectsAdded: 4,
      objectsRemoved: 0,
      classesAdded: [],
    });
    const store = openTestProject(dataset);
    expect(Object.values(masksByPath(store)).flat()).toHaveLength(8);
    store.close();
    const replaced = await run('import', dataset, coco, '--mode', 'replace');
    expect(replaced.code).toBe(EXIT.ok);
    expect(replaced.out).toContain('removed 8 objects the import replaced');
    expect(masksOf(dataset, path.join(dataset, '.sam-annotator'))).toEqual(sourceMasks);
  });

  it('leaves the project unchanged when a COCO file is malformed, naming the file and field', async () => {
    const dir = await exported('coco');
    const coco = path.join(dir, 'annotations', 'instances_default.json');
    const document = JSON.parse(readFileSync(coco, 'utf8'));
    document.annotations[2].segmentation.counts = 'not an RLE ~~~';
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(document));

    const dataset = photoDataset(root.path, 'malformed');
    expect((await run('import', dataset, coco)).code).toBe(EXIT.ok);
    const projectDir = path.join(dataset, '.sam-annotator');
    const before = projectSnapshot(projectDir);
    const { code, out, err } = await run('import', dataset, bad, '--mode', 'replace');
    expect(code).toBe(EXIT.usage);
    expect(out).toBe('');
    expect(err).toMatch(new RegExp(`^error: ${bad} annotations\\[2\\]\\.segmentation\\.counts`));
    expect(projectSnapshot(projectDir)).toEqual(before);
  });

  it('leaves the project unchanged when a YOLO label line is malformed, naming file and line', async () => {
    const yolo = await exported('yolo-seg');
    const labels = path.join(yolo, 'labels', 'sub', 'coins.txt');
    appendFileSync(labels, '1 0.5 0.5 0.7\n');
    const dataset = photoDataset(root.path, 'malformed-yolo');
    expect((await run('stats', dataset)).code).toBe(EXIT.ok);
    const projectDir = path.join(dataset, '.sam-annotator');
    const before = projectSnapshot(projectDir);
    const { code, err } = await run('import', dataset, yolo, '--format', 'yolo');
    expect(code).toBe(EXIT.usage);
    expect(err).toContain(`${labels}:3`);
    expect(projectSnapshot(projectDir)).toEqual(before);
  });

  it('refuses annotations of images the dataset lacks, unless told to skip them', async () => {
    const dir = await exported('coco');
    const coco = JSON.parse(
      readFileSync(path.join(dir, 'annotations', 'instances_default.json'), 'utf8'),
    );
    const horse = coco.images.find((i: { file_name: string }) => i.file_name === PHOTOS.horse.path);
    horse.file_name = 'elsewhere/horse-2.png';
    const moved = path.join(dir, 'moved.json');
    writeFileSync(moved, JSON.stringify(coco));
    const dataset = photoDataset(root.path, 'unmatched');
    const refused = await run('import', dataset, moved);
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.err).toContain('elsewhere/horse-2.png');
    const skipped = await run('import', dataset, moved, '--skip-unmatched', '--json');
    expect(skipped.code).toBe(EXIT.ok);
    const summary = JSON.parse(skipped.out);
    expect(summary.objectsAdded).toBe(3);
    expect(summary.notes.join('\n')).toContain('left out');
  });

  it('refuses --classes for COCO, a missing input and an unknown format', async () => {
    const dataset = photoDataset(root.path, 'refusals');
    const classes = await run(
      'import',
      dataset,
      'x.json',
      '--format',
      'coco',
      '--classes',
      'c.csv',
    );
    expect(classes.code).toBe(EXIT.usage);
    expect(classes.err).toContain('--classes needs --format yolo');
    const missing = path.join(root.path, 'no-such-file.json');
    const gone = await run('import', dataset, missing);
    expect(gone.code).toBe(EXIT.usage);
    expect(gone.err).toContain(missing);
    const unknown = await run('import', dataset, missing, '--format', 'labelme');
    expect(unknown.code).toBe(EXIT.usage);
  });
});
