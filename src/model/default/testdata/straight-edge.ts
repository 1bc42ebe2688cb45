import type { Bitmap } from '../../../geometry/index.js';

/**
 * The longest stretch of a mask's outline that runs along a row or a column, to within `tolerance`
 * pixels across, away from the picture's border (an outline along the border is the object
 * running off the picture). A cut confined to a rectangle leaves such a stretch where the
 * rectangle's side crossed the object; outlines of natural objects turn away within a few pixels.
 */
export function longestStraightEdge(mask: Bitmap, tolerance = 4): number {
  const { width, height, data } = mask;
  const at = (x: number, y: number) => data[y * width + x];
  let longest = 0;
  // Rows y..y+tolerance: a column belongs to the stretch when the mask changes between two of them.
  for (let y = tolerance; y + 2 * tolerance < height; y++) {
    let run = 0;
    for (let x = 0; x < width; x++) {
      let crossed = false;
      for (let k = y; k < y + tolerance && !crossed; k++) crossed = at(x, k) !== at(x, k + 1);
      run = crossed ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
  }
  for (let x = tolerance; x + 2 * tolerance < width; x++) {
    let run = 0;
    for (let y = 0; y < height; y++) {
      let crossed = false;
      for (let k = x; k < x + tolerance && !crossed; k++) crossed = at(k, y) !== at(k + 1, y);
      run = crossed ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
  }
  return longest;
}
