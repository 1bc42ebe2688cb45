/**
 * `npm run bench -- export [--images N] [--objects N]`: 100,000 objects (1,000 images of
 * 1280x960 with 100 random ragged blobs each, some with holes or in two parts) exported to COCO
 * with RLE, COCO with polygons and YOLO segmentation. Baseline in the same run: building the
 * COCO annotation array in memory and writing JSON.stringify of it (what a naive exporter does;
 * it holds everything at once). Target: COCO RLE <= 10 s for 100,000 objects.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseRle, runsArea, runsBbox } from '../src/geometry/index.js';
import { exportCoco, exportYolo, type ExportResult } from '../src/formats/export/index.js';
import { blobSource, type MemoryAnnotationSource } from '../src/formats/test-support.js';
import { type Benchmark, collect, flagValue, log, MiB, nowMs, PeakRss, round } from './lib.js';

const WIDTH = 1280;
const HEIGHT = 960;
const TARGET_COCO_RLE_S = 10;

/** Empty stand-ins for the images: YOLO links them and only checks that they exist. */
async function placeholderDataset(source: MemoryAnnotationSource, root: string): Promise<void> {
  for (const image of source.iterateImages()) {
    const file = path.join(root, ...image.path.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '');
  }
}

/** The naive exporter: every annotation as an object in one array, one JSON.stringify. */
async function naiveCoco(source: MemoryAnnotationSource, file: string): Promise<number> {
  const classes = source.listClasses();
  const categoryOf = new Map(classes.map((c, i) => [c.id, i + 1]));
  const images = [];
  const annotations = [];
  for (const image of source.iterateImages()) {
    images.push({ id: image.id, file_name: image.path, width: image.width, height: image.height });
    for (const o of source.objectsOf(image.id)) {
      const runs = parseRle(o.rle);
      annotations.push({
        id: o.id,
        image_id: image.id,
        category_id: categoryOf.get(o.classId),
        segmentation: o.rle,
        area: runsArea(runs.counts),
        bbox: runsBbox(runs),
        iscrowd: 0,
        ...(o.score === null ? {} : { score: o.score }),
      });
    }
  }
  const categories = classes.map((c, i) => ({ id: i + 1, name: c.name, supercategory: '' }));
  const text = JSON.stringify({ info: {}, licenses: [], images, annotations, categories });
  await writeFile(file, text);
  return annotations.length;
}

async function timed<T>(
  label: string,
  rss: PeakRss,
  run: () => Promise<T>,
): Promise<{ s: number; peakMiB: number; value: T }> {
  collect();
  rss.reset();
  const start = nowMs();
  const value = await run();
  const s = (nowMs() - start) / 1000;
  const peakMiB = rss.peakBytes / MiB;
  log(`${label}: ${round(s, 2)} s, peak RSS ${round(peakMiB)} MiB`);
  return { s, peakMiB, value };
}

const bench: Benchmark = {
  name: 'export',
  description: '100,000 objects to COCO RLE, COCO polygons and YOLO-seg vs JSON.stringify',
  async run(args) {
    const images = flagValue(args, '--images', 1000);
    const perImage = flagValue(args, '--objects', 100);
    const work = await mkdtemp(path.join(tmpdir(), 'bench-export-'));
    const rss = new PeakRss();
    try {
      const made = nowMs();
      const source = blobSource({
        images,
        objectsPerImage: perImage,
        width: WIDTH,
        height: HEIGHT,
      });
      const objects = images * perImage;
      log(
        `made ${objects} objects on ${images} images of ${WIDTH}x${HEIGHT} in ${round((nowMs() - made) / 1000, 1)} s`,
      );

      const dataset = path.join(work, 'dataset');
      await placeholderDataset(source, dataset);
      const baseline = await timed('baseline (array + JSON.stringify)', rss, () =>
        naiveCoco(source, path.join(work, 'naive.json')),
      );
      const rle = await timed('COCO RLE', rss, () =>
        exportCoco(source, path.join(work, 'coco-rle')),
      );
      const polygon = await timed('COCO polygons', rss, () =>
        exportCoco(source, path.join(work, 'coco-polygon'), { segmentation: 'polygon' }),
      );
      const yolo = await timed('YOLO segmentation', rss, () =>
        exportYolo(source, path.join(work, 'yolo-seg'), 'segment', { datasetRoot: dataset }),
      );
      // The streamed file must hold what the naive one holds, or the timings compare nothing.
      const ours = JSON.parse(
        await readFile(
          path.join(work, 'coco-rle', 'annotations', 'instances_default.json'),
          'utf8',
        ),
      ) as { annotations: unknown[] };
      const naive = JSON.parse(await readFile(path.join(work, 'naive.json'), 'utf8')) as {
        annotations: unknown[];
      };
      if (JSON.stringify(ours.annotations) !== JSON.stringify(naive.annotations)) {
        throw new Error('the streamed COCO annotations differ from the naive ones');
      }
      const counted = (r: ExportResult) => r.objects;
      if ([rle, polygon, yolo].some((r) => counted(r.value) !== objects)) {
        throw new Error('an export wrote another number of objects than it was given');
      }
      return {
        images,
        objects,
        width: WIDTH,
        height: HEIGHT,
        baselineStringifyS: round(baseline.s, 2),
        cocoRleS: round(rle.s, 2),
        cocoPolygonS: round(polygon.s, 2),
        yoloSegS: round(yolo.s, 2),
        cocoRleToBaseline: round(rle.s / baseline.s, 2),
        cocoPolygonToBaseline: round(polygon.s / baseline.s, 2),
        yoloSegToBaseline: round(yolo.s / baseline.s, 2),
        baselinePeakRssMiB: round(baseline.peakMiB),
        cocoRlePeakRssMiB: round(rle.peakMiB),
        cocoPolygonPeakRssMiB: round(polygon.peakMiB),
        yoloSegPeakRssMiB: round(yolo.peakMiB),
        cocoRlePer100kObjectsS: round(rle.s * (100_000 / objects), 2),
        targetCocoRleS: TARGET_COCO_RLE_S,
        cocoRleWithinTarget: rle.s * (100_000 / objects) <= TARGET_COCO_RLE_S,
        polygonWarnings: polygon.value.warnings.length,
      };
    } finally {
      rss.stop();
      await rm(work, { recursive: true, force: true });
    }
  },
};

export default bench;
