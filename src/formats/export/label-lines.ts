import type { BboxXywh } from '../../geometry/index.js';
import type { ExportImage, ExportObject } from './export-images.js';
import { mergeMultiSegment } from './merge-segments.js';
import { fixed6 } from './number-format.js';
import { measureMask, outlineMask } from './object-outline.js';
import type { ExportWarnings } from './warnings.js';
import { plural } from './warnings.js';

/** `class cx cy w h`, normalised to the image, six decimals (YOLO detection). */
export function detectionLine(
  classIndex: number,
  bbox: BboxXywh,
  width: number,
  height: number,
): string {
  const [x, y, w, h] = bbox;
  return [
    classIndex,
    fixed6((x + w / 2) / width),
    fixed6((y + h / 2) / height),
    fixed6(w / width),
    fixed6(h / height),
  ].join(' ');
}

/**
 * Normalised coordinates as six-decimal text, remembered per whole pixel coordinate: outlines
 * run on pixel edges, so one image's labels repeat the same few thousand values, and formatting
 * each of them once saves most of the cost of a segmentation export.
 */
export class CoordinateText {
  private readonly xs: (string | undefined)[];
  private readonly ys: (string | undefined)[];

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.xs = new Array<string | undefined>(width + 1);
    this.ys = new Array<string | undefined>(height + 1);
  }

  x(value: number): string {
    return this.cached(this.xs, value, this.width);
  }

  y(value: number): string {
    return this.cached(this.ys, value, this.height);
  }

  private cached(cache: (string | undefined)[], value: number, side: number): string {
    if (!Number.isInteger(value) || value < 0 || value > side) return fixed6(value / side);
    return (cache[value] ??= fixed6(value / side));
  }
}

/** `class x1 y1 x2 y2 ...`, normalised to the image, six decimals (YOLO segmentation, seed). */
export function polygonLine(
  classIndex: number,
  points: readonly number[],
  text: CoordinateText,
): string {
  let line = String(classIndex);
  for (let i = 0; i < points.length; i += 2) {
    line += ` ${text.x(points[i]!)} ${text.y(points[i + 1]!)}`;
  }
  return line;
}

/** Names an object in warnings. */
export function objectLabel(image: ExportImage, object: ExportObject): string {
  return `${image.record.path}#${object.record.id}`;
}

/**
 * The label lines of one image for a one-polygon-per-object format (YOLO segmentation, the
 * seed tool): parts joined as Ultralytics joins them, holes filled (with a warning), empty
 * masks left out (with a warning). `format` names the format in the warnings.
 */
export function polygonLines(
  image: ExportImage,
  tolerance: number,
  warnings: ExportWarnings,
  format: string,
): string[] {
  const lines: string[] = [];
  const text = new CoordinateText(image.width, image.height);
  for (const object of image.objects) {
    const { bbox } = measureMask(object.runs);
    const outline = outlineMask(object.runs, bbox, tolerance);
    if (outline.outers.length === 0) {
      warnEmpty(warnings, image, object, format);
      continue;
    }
    if (outline.hasHoles) {
      warnings.add(
        'holes-filled',
        (n) =>
          `${plural(n, 'object')} with holes: ${format} polygons cannot keep holes, so they are filled in`,
        objectLabel(image, object),
      );
    }
    const points = mergeMultiSegment(outline.outers);
    lines.push(polygonLine(object.classIndex, points, text));
  }
  return lines;
}

/** The label lines of one image for YOLO detection; empty masks are left out with a warning. */
export function detectionLines(image: ExportImage, warnings: ExportWarnings): string[] {
  const lines: string[] = [];
  for (const object of image.objects) {
    const { bbox, area } = measureMask(object.runs);
    if (area === 0) {
      warnEmpty(warnings, image, object, 'YOLO detection');
      continue;
    }
    lines.push(detectionLine(object.classIndex, bbox, image.width, image.height));
  }
  return lines;
}

export function warnEmpty(
  warnings: ExportWarnings,
  image: ExportImage,
  object: ExportObject,
  format: string,
): void {
  warnings.add(
    'empty-mask',
    (n) => `${plural(n, 'object')} with an empty mask left out (${format} cannot hold them)`,
    objectLabel(image, object),
  );
}

/** One line per label, each ending in a newline; an image without objects gets an empty file. */
export function labelFileText(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
