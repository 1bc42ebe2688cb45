/**
 * Golden files: every format exported from the fixed project of goldenSource() must match
 * testdata/golden/<case>/ byte for byte. `UPDATE_GOLDEN=1 npx vitest run src/formats/export`
 * rewrites them (review the diff before committing).
 *
 * Golden files carry a `.golden` suffix so that no formatter rewrites them. Machine-specific
 * text is replaced by placeholders before the comparison: the export folder by ${DEST} (data.yaml
 * holds its absolute path) and the dataset folder by ${DATASET} (image links). A link is stored
 * as `<name>.symlink.golden` holding its target. PNGs are compared by their chunks with the
 * image data inflated: deflate's bytes depend on the zlib build (SIMD variants pick other
 * matches), the pixels and palette must not; the last test checks the raw bytes of two runs.
 */
import { mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goldenSource, writeDatasetImages } from '../test-support.js';
import { exportAnnotations, type AnyExportOptions, type ExportFormat } from './index.js';
import { pngChunks } from './png-test-support.js';

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
/** Set in beforeAll: a real dataset folder, so image links point at files. */
let DATASET = '';

const CASES: { name: string; format: ExportFormat; options: AnyExportOptions }[] = [
  { name: 'coco', format: 'coco', options: {} },
  { name: 'coco-polygon', format: 'coco', options: { segmentation: 'polygon' } },
  { name: 'coco-auto', format: 'coco', options: { segmentation: 'auto' } },
  { name: 'yolo-det', format: 'yolo-det', options: {} },
  { name: 'yolo-seg', format: 'yolo-seg', options: {} },
  { name: 'voc', format: 'voc', options: {} },
  { name: 'seed', format: 'seed', options: {} },
];

/** Every file or link below `root` as a forward-slash relative path, depth first. */
async function* walk(
  root: string,
  dir = root,
): AsyncGenerator<{ rel: string; full: string; link: boolean }> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(root, full);
    else {
      const rel = path.relative(root, full).split(path.sep).join('/');
      yield { rel, full, link: entry.isSymbolicLink() };
    }
  }
}

/** The export below `dest` as relative path -> bytes, with machine-specific paths replaced. */
async function snapshot(dest: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for await (const { rel, full, link } of walk(dest)) {
    if (link) {
      const target = (await readlink(full)).split(DATASET).join('${DATASET}');
      out.set(`${rel}.symlink`, Buffer.from(`${target}\n`));
    } else {
      const bytes = await readFile(full);
      const text = () => Buffer.from(bytes.toString('utf8').split(dest).join('${DEST}'));
      out.set(rel, rel.endsWith('.png') ? bytes : text());
    }
  }
  return out;
}

/** The golden files of one case, keyed like snapshot() (the .golden suffix dropped). */
async function goldenFiles(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  try {
    for await (const { rel, full } of walk(dir)) {
      out.set(rel.replace(/\.golden$/, ''), await readFile(full));
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return out;
}

/** PNGs compare by chunk type and decoded content; everything else by bytes. */
function comparable(name: string, bytes: Buffer): string {
  return name.endsWith('.png') ? JSON.stringify(pngChunks(bytes)) : bytes.toString('utf8');
}

describe('golden files', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'golden-export-'));
    DATASET = path.join(work, 'dataset');
    await writeDatasetImages(goldenSource(), DATASET);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  for (const c of CASES) {
    it(`${c.name} matches testdata/golden/${c.name}`, async () => {
      const dest = path.join(work, c.name);
      const options = { ...c.options, datasetRoot: DATASET };
      const result = await exportAnnotations(c.format, goldenSource(), dest, options);
      const actual = await snapshot(dest);
      const goldenDir = path.join(GOLDEN, c.name);
      if (UPDATE) {
        await rm(goldenDir, { recursive: true, force: true });
        for (const [rel, bytes] of actual) {
          const file = path.join(goldenDir, `${rel}.golden`);
          await mkdir(path.dirname(file), { recursive: true });
          await writeFile(file, bytes);
        }
        await writeFile(
          path.join(goldenDir, 'result.json.golden'),
          `${JSON.stringify({ ...result, destination: '${DEST}' }, null, 2)}\n`,
        );
      }
      const expected = await goldenFiles(goldenDir);
      const expectedResult = expected.get('result.json');
      expected.delete('result.json');
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [rel, bytes] of actual) {
        expect(comparable(rel, bytes), rel).toBe(comparable(rel, expected.get(rel)!));
      }
      expect({ ...result, destination: '${DEST}' }).toEqual(
        JSON.parse(expectedResult!.toString('utf8')),
      );
    });
  }

  it('writes byte-identical files when the same data is exported again', async () => {
    for (const c of CASES) {
      const dest = path.join(work, `again-${c.name}`);
      const options = { ...c.options, datasetRoot: DATASET };
      await exportAnnotations(c.format, goldenSource(), dest, options);
      const first = await snapshot(dest);
      await exportAnnotations(c.format, goldenSource(), dest, { ...options, overwrite: true });
      const second = await snapshot(dest);
      expect([...second.keys()]).toEqual([...first.keys()]);
      for (const [rel, bytes] of first) expect(second.get(rel)!.equals(bytes), rel).toBe(true);
    }
  });
});
