import type { Frame } from './frame.js';
import { withMats } from './mat-scope.js';
import { openCvError, type CV, type Mat } from './opencv.js';

/** Marker values for watershed(): 0 = unknown, 1 = object, 2 = background. */
export const MARK = { UNKNOWN: 0, OBJECT: 1, BACKGROUND: 2 } as const;

/**
 * Meyer's marker-based watershed (OpenCV) on the frame: floods from the object and background
 * markers in order of colour difference, so the two meet on the strongest edges between them.
 * The pixels are smoothed first so that fine texture does not read as edges. Returns 1 where
 * the object's flood won.
 */
export function watershedRegion(
  cv: CV,
  pixels: Mat,
  frame: Frame,
  markers: Int32Array,
  blur = 5,
): Uint8Array {
  return withMats((scope) => {
    const smooth = scope.keep(new cv.Mat());
    cv.GaussianBlur(pixels, smooth, new cv.Size(blur, blur), 0);
    const marks = scope.keep(new cv.Mat(frame.rows, frame.cols, cv.CV_32S));
    marks.data32S.set(markers);
    try {
      cv.watershed(smooth, marks);
    } catch (err) {
      throw openCvError(cv, err, 'watershed');
    }
    const out = new Uint8Array(markers.length);
    const result = marks.data32S;
    for (let i = 0; i < out.length; i++) out[i] = result[i] === MARK.OBJECT ? 1 : 0;
    return out;
  });
}
