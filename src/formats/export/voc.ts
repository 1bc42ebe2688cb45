import type { AnnotationSource, ClassRecord } from '../../store/records.js';
import { ExportError } from './errors.js';
import { exportClasses, readImages, type ExportImage } from './export-images.js';
import { warnEmpty } from './label-lines.js';
import { OutputClaims, checkListablePath, stemPath } from './label-paths.js';
import { decodeInBox, measureMask } from './object-outline.js';
import { encodePalettePng, vocColormap } from './palette-png.js';
import { runExport, splitsOption } from './run-export.js';
import { splitOf } from './splits.js';
import type { TextFile } from './staged-directory.js';
import type { ExportResult, VocExportOptions } from './types.js';
import { vocXml, type VocObject } from './voc-xml.js';
import type { ExportWarnings } from './warnings.js';

/** Index 255 is VOC's "void" (object borders, unlabelled); 0 is background. */
const MAX_INDEX = 254;

/**
 * Pascal VOC: for each image (id = its path without extension, folders mirrored)
 *
 *   Annotations/<id>.xml           boxes in VOC's 1-based pixel numbers, segmented 1
 *   SegmentationClass/<id>.png     palette PNG, 0 background, class at position p = p + 1
 *   SegmentationObject/<id>.png    palette PNG, 0 background, objects 1..n in object order
 *   ImageSets/Main/<split>.txt and ImageSets/Segmentation/<split>.txt (default.txt unsplit)
 *   labelmap.txt                   CVAT's layout: `name:r,g,b::` in palette order
 *
 * Where masks overlap the later object wins in both PNGs (objects are painted in order).
 * An object is marked truncated when its mask touches the image border.
 */
export async function exportVoc(
  source: AnnotationSource,
  destination: string,
  options: VocExportOptions = {},
): Promise<ExportResult> {
  const splits = splitsOption(options.splits);
  const classCount = source.listClasses().length;
  if (classCount > MAX_INDEX) {
    throw new ExportError(
      `Pascal VOC masks hold at most ${MAX_INDEX} classes (8-bit indices, 255 is void); the project has ${classCount}`,
      'classes',
      classCount,
    );
  }
  const palette = vocColormap();
  return runExport('voc', destination, options, async ({ dir, warnings }) => {
    const classes = exportClasses(source);
    for (const c of classes.list) {
      if (/[:\r\n]/.test(c.name)) {
        warnings.note(
          `labelmap-${c.id}`,
          `class ${JSON.stringify(c.name)} contains ":" or a line break, which labelmap.txt readers split on`,
        );
      }
    }
    const names = splits ? splits.map((s) => s.name) : ['default'];
    const lists = new Map<string, TextFile[]>();
    for (const name of names) {
      lists.set(name, [
        await dir.openText(`ImageSets/Main/${name}.txt`),
        await dir.openText(`ImageSets/Segmentation/${name}.txt`),
      ]);
    }
    const ids = new OutputClaims('the annotation');
    let images = 0;
    let objects = 0;
    for await (const image of readImages(source, classes, options)) {
      const id = stemPath(image.record.path);
      checkListablePath(id, 'ImageSets');
      ids.claim(id, image.record.path);
      const drawn = drawImage(image, classes.list, warnings);
      await dir.writeFile(`Annotations/${id}.xml`, vocXml(annotationOf(image, drawn.objects)));
      await dir.writeFile(
        `SegmentationClass/${id}.png`,
        encodePalettePng(image.width, image.height, drawn.classMask, palette),
      );
      await dir.writeFile(
        `SegmentationObject/${id}.png`,
        encodePalettePng(image.width, image.height, drawn.objectMask, palette),
      );
      for (const list of lists.get(splits ? splitOf(image.record.path, splits) : 'default')!) {
        list.write(`${id}\n`);
        await list.flushIfFull();
      }
      objects += drawn.objects.length;
      images++;
    }
    await dir.writeFile('labelmap.txt', labelmap(classes.list, palette));
    return { images, objects };
  });
}

interface DrawnImage {
  objects: VocObject[];
  classMask: Uint8Array;
  objectMask: Uint8Array;
}

/** Paints every object into the class and object index images, in object order. */
function drawImage(
  image: ExportImage,
  classes: readonly ClassRecord[],
  warnings: ExportWarnings,
): DrawnImage {
  const { width, height } = image;
  const classMask = new Uint8Array(width * height);
  const objectMask = new Uint8Array(width * height);
  const objects: VocObject[] = [];
  for (const object of image.objects) {
    const { bbox, area } = measureMask(object.runs);
    if (area === 0) {
      warnEmpty(warnings, image, object, 'Pascal VOC');
      continue;
    }
    if (objects.length === MAX_INDEX) {
      throw new ExportError(
        `images[${image.record.path}]: Pascal VOC object masks hold at most ${MAX_INDEX} objects per image, this one has ${image.objects.length}`,
        `images[${image.record.path}].objects`,
        image.objects.length,
      );
    }
    objects.push({
      name: classes[object.classIndex]!.name,
      bbox,
      truncated:
        bbox[0] === 0 ||
        bbox[1] === 0 ||
        bbox[0] + bbox[2] === width ||
        bbox[1] + bbox[3] === height,
    });
    const crop = decodeInBox(object.runs, bbox);
    const [bx, by, bw, bh] = bbox;
    const classValue = object.classIndex + 1;
    const objectValue = objects.length;
    for (let y = 0; y < bh; y++) {
      const src = y * bw;
      const dst = (by + y) * width + bx;
      for (let x = 0; x < bw; x++) {
        if (crop.data[src + x] !== 0) {
          classMask[dst + x] = classValue;
          objectMask[dst + x] = objectValue;
        }
      }
    }
  }
  return { objects, classMask, objectMask };
}

function annotationOf(image: ExportImage, objects: VocObject[]) {
  const imagePath = image.record.path;
  const slash = imagePath.lastIndexOf('/');
  return {
    folder: slash < 0 ? '' : imagePath.slice(0, slash),
    filename: imagePath.slice(slash + 1),
    width: image.width,
    height: image.height,
    objects,
  };
}

/** CVAT's labelmap.txt: background first, then the classes in palette order. */
function labelmap(classes: readonly ClassRecord[], palette: Uint8Array): string {
  const colour = (i: number) => `${palette[i * 3]},${palette[i * 3 + 1]},${palette[i * 3 + 2]}`;
  const lines = ['# label:color_rgb:parts:actions', `background:${colour(0)}::`];
  classes.forEach((c, i) => lines.push(`${c.name}:${colour(i + 1)}::`));
  return `${lines.join('\n')}\n`;
}
