/**
 * `npm run bench -- dataset [--files N]`: opening a dataset of N tiny images (100,000 by default)
 * lazily (readdir + stat: ImageIndex.open) against the naive eager way (open, then read every
 * header). Targets: lazy open <= 1000 ms, eager / lazy >= 10, lazy-open peak RSS <= 250 MiB.
 *
 * The files are made once and reused from os.tmpdir()/sam-annotator-bench/dataset-<N> (a marker
 * file says the set is complete). Timings are with the folder tree in the OS cache, as it is on a
 * second start of the tool.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ImageIndex } from '../src/dataset/index.js';
import { type Benchmark, collect, flagValue, log, MiB, PeakRss, round, timeMs } from './lib.js';

const DEFAULT_FILES = 100_000;
const FILES_PER_FOLDER = 100;
const FOLDERS_PER_PARENT = 10;
/** Header reads in flight in the eager phase (libuv runs 4 at a time by default). */
const EAGER_CONCURRENCY = 16;
const MARKER = '.bench-complete.json';

/** Four tiny pictures, encoded once; the files are copies of them. */
async function tinyPictures(): Promise<Array<{ ext: string; data: Buffer }>> {
  const base = (width: number, height: number, hue: number) =>
    sharp({ create: { width, height, channels: 3, background: { r: hue, g: 90, b: 200 } } });
  return [
    { ext: 'jpg', data: await base(24, 16, 10).jpeg().toBuffer() },
    { ext: 'png', data: await base(16, 16, 80).png().toBuffer() },
    { ext: 'webp', data: await base(16, 24, 150).webp().toBuffer() },
    { ext: 'gif', data: await base(12, 12, 220).gif().toBuffer() },
  ];
}

/** dataset-<N>/p<000>/f<0>/img_<n>.<ext>: ten folders of 100 files under each parent. */
async function ensureDataset(files: number): Promise<string> {
  const name = files === DEFAULT_FILES ? 'dataset-100k' : `dataset-${files}`;
  const root = path.join(os.tmpdir(), 'sam-annotator-bench', name);
  const marker = path.join(root, MARKER);
  if (existsSync(marker) && JSON.parse(readFileSync(marker, 'utf8')).files === files) {
    log(`reusing ${files} files in ${root}`);
    return root;
  }
  rmSync(root, { recursive: true, force: true });
  log(`writing ${files} files to ${root} ...`);
  const pictures = await tinyPictures();
  const { ms } = await timeMs(() => {
    let folder = '';
    for (let n = 0; n < files; n++) {
      if (n % FILES_PER_FOLDER === 0) {
        const f = Math.floor(n / FILES_PER_FOLDER);
        folder = path.join(
          root,
          `p${String(Math.floor(f / FOLDERS_PER_PARENT)).padStart(3, '0')}`,
          `f${f % FOLDERS_PER_PARENT}`,
        );
        mkdirSync(folder, { recursive: true });
      }
      const picture = pictures[n % pictures.length]!;
      writeFileSync(path.join(folder, `img_${n}.${picture.ext}`), picture.data);
    }
  });
  writeFileSync(marker, JSON.stringify({ files }));
  log(`wrote ${files} files in ${round(ms / 1000, 1)} s`);
  return root;
}

const bench: Benchmark = {
  name: 'dataset',
  description: 'lazy ImageIndex.open (readdir + stat) vs open + every header',
  async run(args) {
    const files = flagValue(args, '--files', DEFAULT_FILES);
    const root = await ensureDataset(files);

    collect();
    // The scan is synchronous, so the sampler cannot tick during it: the peak is sampled before
    // and right after (when the index and the scan's garbage are both still held).
    const lazyRss = new PeakRss();
    const lazy = await timeMs(() => ImageIndex.open(root));
    const peakRss = lazyRss.stop();
    const index = lazy.value;
    if (index.size !== files) throw new Error(`expected ${files} images, indexed ${index.size}`);
    log(`lazy open: ${index.size} images in ${round(lazy.ms)} ms`);

    collect();
    const eagerRss = new PeakRss();
    const eager = await timeMs(async () => {
      const opened = ImageIndex.open(root);
      await opened.readAllHeaders({ concurrency: EAGER_CONCURRENCY });
      return opened;
    });
    const eagerPeakRss = eagerRss.stop();
    if (eager.value.broken().length > 0) {
      throw new Error(`eager phase: ${eager.value.broken().length} headers failed`);
    }
    log(`eager open: ${files} headers in ${round(eager.ms)} ms`);

    return {
      files,
      lazyOpenMs: round(lazy.ms),
      eagerOpenMs: round(eager.ms),
      ratio: round(eager.ms / lazy.ms, 1),
      peakRssMiB: round(peakRss / MiB, 1),
      eagerPeakRssMiB: round(eagerPeakRss / MiB, 1),
      cpus: os.cpus().length,
    };
  },
};

export default bench;
