/**
 * The real OpenCV (wasm) as the reference for the seed tool's outlines: it wrote its labels from
 * cv2.findContours and shows them with cv2.fillPoly.
 */
import { bitmapFrom, type Bitmap } from '../geometry/index.js';
import type { CV } from '../model/default/opencv.js';

/** cv2.findContours(mask, RETR_EXTERNAL, CHAIN_APPROX_SIMPLE) as flat [x0, y0, ...] lists. */
export function openCvContours(cv: CV, mask: Bitmap): number[][] {
  const src = cv.matFromArray(mask.height, mask.width, cv.CV_8UC1, Array.from(mask.data));
  const contours = new cv.MatVector();
  const hierarchy = new cv.Mat();
  cv.findContours(src, contours, hierarchy, cv.RETR_EXTERNAL, cv.CHAIN_APPROX_SIMPLE);
  const out: number[][] = [];
  for (let i = 0; i < contours.size(); i++) {
    const c = contours.get(i);
    out.push(Array.from(c.data32S as Int32Array));
    c.delete();
  }
  src.delete();
  contours.delete();
  hierarchy.delete();
  return out;
}

/** cv2.fillPoly of each contour in turn (outline pixels included), as the seed shows them. */
export function openCvFill(
  cv: CV,
  contours: readonly number[][],
  width: number,
  height: number,
): Bitmap {
  const dst = cv.Mat.zeros(height, width, cv.CV_8UC1);
  for (const points of contours) {
    const poly = cv.matFromArray(points.length / 2, 1, cv.CV_32SC2, [...points]);
    const polys = new cv.MatVector();
    polys.push_back(poly);
    cv.fillPoly(dst, polys, new cv.Scalar(1));
    poly.delete();
    polys.delete();
  }
  const out = bitmapFrom(width, height, Uint8Array.from(dst.data as Uint8Array));
  dst.delete();
  return out;
}

/** The mask with every hole filled: background not 4-connected to the image border set. */
export function fillHoles(mask: Bitmap): Bitmap {
  const { width, height } = mask;
  const outside = new Uint8Array(width * height);
  const stack: number[] = [];
  const push = (x: number, y: number) => {
    const i = y * width + x;
    if (x < 0 || y < 0 || x >= width || y >= height || outside[i] || mask.data[i]) return;
    outside[i] = 1;
    stack.push(i);
  };
  for (let x = 0; x < width; x++) {
    push(x, 0);
    push(x, height - 1);
  }
  for (let y = 0; y < height; y++) {
    push(0, y);
    push(width - 1, y);
  }
  while (stack.length > 0) {
    const i = stack.pop()!;
    const x = i % width;
    const y = (i - x) / width;
    push(x - 1, y);
    push(x + 1, y);
    push(x, y - 1);
    push(x, y + 1);
  }
  return bitmapFrom(
    width,
    height,
    outside.map((v) => 1 - v),
  );
}
