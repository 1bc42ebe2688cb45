import type { Frame } from './frame.js';
import { withMats } from './mat-scope.js';
import type { CV } from './opencv.js';

/**
 * Foreground components (8-connected) of a 0/1 frame mask: keeps those that contain one of
 * `anchors` (frame pixel indices); with no anchors, those at least `minShare` of the largest.
 */
export function keepComponents(
  cv: CV,
  mask: Uint8Array,
  frame: Frame,
  anchors: number[],
  minShare = 0.05,
): Uint8Array {
  return withMats((scope) => {
    const binary = scope.keep(new cv.Mat(frame.rows, frame.cols, cv.CV_8UC1));
    binary.data.set(mask);
    const labels = scope.keep(new cv.Mat());
    const stats = scope.keep(new cv.Mat());
    const centroids = scope.keep(new cv.Mat());
    const count = cv.connectedComponentsWithStats(binary, labels, stats, centroids, 8, cv.CV_32S);
    const ids = labels.data32S;
    const keep = new Uint8Array(count);
    if (anchors.length > 0) {
      for (const at of anchors) keep[ids[at]!] = 1;
    } else {
      const areas = stats.data32S;
      const stride = stats.cols;
      let largest = 0;
      for (let id = 1; id < count; id++)
        largest = Math.max(largest, areas[id * stride + cv.CC_STAT_AREA]!);
      for (let id = 1; id < count; id++) {
        if (areas[id * stride + cv.CC_STAT_AREA]! >= largest * minShare) keep[id] = 1;
      }
    }
    keep[0] = 0;
    const out = new Uint8Array(mask.length);
    for (let i = 0; i < out.length; i++) out[i] = keep[ids[i]!]!;
    return out;
  });
}
