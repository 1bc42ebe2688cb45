import type { BboxXywh, BoxCorners, Point, Size } from '../../geometry/index.js';

/** One region the picture is segmented in: the whole picture is layer 0. */
export interface CropBox extends BoxCorners {
  layer: number;
}

/**
 * generate_crop_boxes of segment_anything/utils/amg.py: the whole picture, then for each layer
 * i (1..layers) a 2^i x 2^i set of crops whose neighbours overlap by
 * `overlapRatio * shortSide * 2 / 2^i` pixels (integer pixel corners, as the reference).
 */
export function cropBoxes(size: Size, layers: number, overlapRatio: number): CropBox[] {
  const { width, height } = size;
  const boxes: CropBox[] = [{ x0: 0, y0: 0, x1: width, y1: height, layer: 0 }];
  const shortSide = Math.min(width, height);
  const cropLength = (length: number, crops: number, overlap: number): number =>
    Math.ceil((overlap * (crops - 1) + length) / crops);
  for (let layer = 1; layer <= layers; layer++) {
    const perSide = 2 ** layer;
    const overlap = Math.trunc(overlapRatio * shortSide * (2 / perSide));
    const cropWidth = cropLength(width, perSide, overlap);
    const cropHeight = cropLength(height, perSide, overlap);
    for (let i = 0; i < perSide; i++) {
      const x0 = Math.trunc((cropWidth - overlap) * i);
      for (let j = 0; j < perSide; j++) {
        const y0 = Math.trunc((cropHeight - overlap) * j);
        boxes.push({
          x0,
          y0,
          x1: Math.min(x0 + cropWidth, width),
          y1: Math.min(y0 + cropHeight, height),
          layer,
        });
      }
    }
  }
  return boxes;
}

/**
 * build_point_grid scaled to a crop: n x n points at the centres of an n x n division of the
 * crop, in the crop's own (continuous) coordinates, row by row.
 */
export function pointGrid(n: number, size: Size): Point[] {
  const points: Point[] = [];
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      points.push({ x: ((i + 0.5) / n) * size.width, y: ((j + 0.5) / n) * size.height });
    }
  }
  return points;
}

/**
 * is_box_near_crop_edge: a mask whose box comes within `margin` pixels of an edge of its crop
 * that is not also an edge of the picture was probably cut off by the crop.
 */
export function isNearCropEdge(bbox: BboxXywh, crop: BoxCorners, image: Size, margin: number) {
  const [x, y, w, h] = bbox;
  const sides: [number, number, number][] = [
    [x, crop.x0, 0],
    [y, crop.y0, 0],
    [x + w, crop.x1, image.width],
    [y + h, crop.y1, image.height],
  ];
  return sides.some(
    ([edge, cropEdge, imageEdge]) =>
      Math.abs(edge - cropEdge) <= margin && Math.abs(edge - imageEdge) > margin,
  );
}

export function cropSize(crop: BoxCorners): Size {
  return { width: crop.x1 - crop.x0, height: crop.y1 - crop.y0 };
}

export function isWholePicture(crop: BoxCorners, size: Size): boolean {
  return crop.x0 === 0 && crop.y0 === 0 && crop.x1 === size.width && crop.y1 === size.height;
}
