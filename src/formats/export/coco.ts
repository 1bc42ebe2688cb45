import { runsToCompressed } from '../../geometry/index.js';
import type { AnnotationSource, ClassRecord } from '../../store/records.js';
import {
  annotationJson,
  categoryJson,
  imageJson,
  infoJson,
  type CocoSegmentationValue,
} from './coco-json.js';
import { ExportError, objectField } from './errors.js';
import { exportClasses, readImages, type ExportImage, type ExportObject } from './export-images.js';
import { objectLabel } from './label-lines.js';
import { measureMask, outlineMask, type MaskMeasure } from './object-outline.js';
import { choiceOption, runExport, splitsOption, toleranceOption } from './run-export.js';
import { splitOf } from './splits.js';
import type { StagedDirectory, TextFile } from './staged-directory.js';
import {
  COCO_SEGMENTATIONS,
  type CocoExportOptions,
  type CocoInfo,
  type CocoSegmentation,
  type ExportResult,
} from './types.js';
import { plural, type ExportWarnings } from './warnings.js';

/**
 * COCO instances JSON: `annotations/instances_default.json`, or one
 * `annotations/instances_<split>.json` per split. Image ids are the project's image ids, annotation
 * ids the object ids, category ids 1-based by class position. Written as it goes (one line per
 * image and per annotation), so 100,000 objects never sit in memory as one string.
 */
export async function exportCoco(
  source: AnnotationSource,
  destination: string,
  options: CocoExportOptions = {},
): Promise<ExportResult> {
  const mode = choiceOption(options.segmentation, COCO_SEGMENTATIONS, 'segmentation', 'rle');
  const tolerance = toleranceOption(options.tolerance);
  const splits = splitsOption(options.splits);
  return runExport('coco', destination, options, async ({ dir, warnings }) => {
    const classes = exportClasses(source);
    const files = new Map<string, CocoFile>();
    const names = splits ? splits.map((s) => s.name) : ['default'];
    for (const name of names) files.set(name, await CocoFile.open(dir, name, options.info));
    let images = 0;
    let objects = 0;
    for await (const image of readImages(source, classes, options)) {
      const file = files.get(splits ? splitOf(image.record.path, splits) : 'default')!;
      file.addImage(imageJson(image.record, image.width, image.height));
      for (const object of image.objects) {
        const measure = measureMask(object.runs);
        file.addAnnotation(
          annotationJson({
            id: object.record.id,
            imageId: image.record.id,
            categoryId: object.classIndex + 1,
            segmentation: segmentationOf(image, object, measure, mode, tolerance, warnings),
            area: measure.area,
            bbox: measure.bbox,
            score: object.record.score,
          }),
        );
        objects++;
      }
      images++;
      await file.flushIfFull();
    }
    for (const file of files.values()) await file.finish(classes.list);
    return { images, objects };
  });
}

/** The segmentation of one object in the chosen mode; see CocoSegmentation. */
function segmentationOf(
  image: ExportImage,
  object: ExportObject,
  measure: MaskMeasure,
  mode: CocoSegmentation,
  tolerance: number,
  warnings: ExportWarnings,
): CocoSegmentationValue {
  const label = objectLabel(image, object);
  if (measure.area === 0) {
    warnings.add(
      'coco-empty-mask',
      (n) => `${plural(n, 'object')} with an empty mask (written with area 0)`,
      label,
    );
  }
  if (mode === 'rle') return rleOf(object);
  const outline = outlineMask(object.runs, measure.bbox, tolerance);
  if (mode === 'auto') {
    if (outline.hasHoles || outline.outers.length === 0) return rleOf(object);
    return outline.outers;
  }
  if (outline.outers.length === 0) {
    const field = objectField(image.record.path, object.record.id);
    throw new ExportError(
      `${field}: the mask has no outline to write as a polygon (it is empty); export with segmentation "auto" or "rle"`,
      field,
      object.record.id,
    );
  }
  if (outline.hasHoles) {
    warnings.add(
      'holes-filled',
      (n) =>
        `${plural(n, 'object')} with holes: COCO polygons cannot keep holes, so they are filled in (segmentation "auto" keeps them as RLE)`,
      label,
    );
  }
  return outline.outers;
}

function rleOf(object: ExportObject): { size: [number, number]; counts: string } {
  const { rle } = object.record;
  // The stored string was checked when the runs were read; re-encode only other forms.
  const counts = typeof rle.counts === 'string' ? rle.counts : runsToCompressed(object.runs).counts;
  return { size: [object.runs.height, object.runs.width], counts };
}

/**
 * One instances file: images go straight into it, annotations into a scratch file appended
 * after the images, since the image list must come first and both arrive image by image.
 */
class CocoFile {
  private images = 0;
  private annotations = 0;

  private constructor(
    private readonly dir: StagedDirectory,
    private readonly main: TextFile,
    private readonly scratch: TextFile,
    private readonly scratchName: string,
  ) {}

  static async open(dir: StagedDirectory, split: string, info?: CocoInfo): Promise<CocoFile> {
    const name = `annotations/instances_${split}.json`;
    const scratchName = `annotations/.instances_${split}.annotations.part`;
    const main = await dir.openText(name);
    const scratch = await dir.openText(scratchName);
    main.write(`{"info":${infoJson(info)},"licenses":[],"images":[`);
    return new CocoFile(dir, main, scratch, scratchName);
  }

  addImage(json: string): void {
    this.main.write(`${this.images++ === 0 ? '\n' : ',\n'}${json}`);
  }

  addAnnotation(json: string): void {
    this.scratch.write(`${this.annotations++ === 0 ? '\n' : ',\n'}${json}`);
  }

  async flushIfFull(): Promise<void> {
    await this.main.flushIfFull();
    await this.scratch.flushIfFull();
  }

  async finish(classes: readonly ClassRecord[]): Promise<void> {
    this.main.write('\n],"annotations":[');
    await this.scratch.close();
    await this.main.appendFile(this.scratch.path);
    await this.dir.remove(this.scratchName);
    const categories = classes.map((c, i) => categoryJson(c, i)).join(',\n');
    this.main.write(`\n],"categories":[\n${categories}\n]}\n`);
    await this.main.close();
  }
}
