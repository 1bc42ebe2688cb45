import type { Frame } from './frame.js';
import type { MatScope } from './mat-scope.js';
import type { CV, Mat } from './opencv.js';
import type { Plane } from './working-image.js';

/** The frame's pixels as an 8-bit 3-channel Mat (area-averaged when the frame is coarser). */
export function framePixels(cv: CV, scope: MatScope, plane: Plane, frame: Frame): Mat {
  const crop = scope.keep(new cv.Mat(frame.height, frame.width, cv.CV_8UC3));
  const target = crop.data;
  const rowBytes = frame.width * 3;
  for (let r = 0; r < frame.height; r++) {
    const from = ((frame.y + r) * plane.width + frame.x) * 3;
    target.set(plane.data.subarray(from, from + rowBytes), r * rowBytes);
  }
  if (frame.cols === frame.width && frame.rows === frame.height) return crop;
  const small = scope.keep(new cv.Mat());
  cv.resize(crop, small, new cv.Size(frame.cols, frame.rows), 0, 0, cv.INTER_AREA);
  return small;
}
