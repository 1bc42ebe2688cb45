import { createBitmap, type Bitmap } from '../../geometry/index.js';

/** 8-connected components of the pixels equal to `value`: labels 1..n (0 elsewhere), sizes[label]. */
export function labelComponents(
  mask: Bitmap,
  value: 0 | 1,
): { labels: Int32Array; sizes: number[] } {
  const { width, height, data } = mask;
  const labels = new Int32Array(width * height);
  const sizes = [0];
  const stack = new Int32Array(width * height);
  const wanted = (i: number): boolean => (data[i] !== 0 ? 1 : 0) === value && labels[i] === 0;
  for (let seed = 0; seed < labels.length; seed++) {
    if (!wanted(seed)) continue;
    const label = sizes.length;
    let size = 0;
    let top = 0;
    stack[top++] = seed;
    labels[seed] = label;
    while (top > 0) {
      const i = stack[--top]!;
      size++;
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const n = ny * width + nx;
          if (wanted(n)) {
            labels[n] = label;
            stack[top++] = n;
          }
        }
      }
    }
    sizes.push(size);
  }
  return { labels, sizes };
}

export type RegionMode = 'holes' | 'islands';

/**
 * remove_small_regions of segment_anything/utils/amg.py (8-connectivity): 'holes' fills the
 * background components under `minArea` pixels, 'islands' removes the mask components under it,
 * keeping the largest when all are. `knownLarge(i)` marks pixels whose component is known to be
 * at least `minArea` through pixels outside this bitmap (the caller's view of a crop).
 * Returns a new bitmap, and whether anything changed.
 */
export function removeSmallRegions(
  mask: Bitmap,
  minArea: number,
  mode: RegionMode,
  knownLarge: (index: number) => boolean = () => false,
): { mask: Bitmap; changed: boolean } {
  const target = mode === 'holes' ? 0 : 1;
  const { labels, sizes } = labelComponents(mask, target);
  const small = sizes.map((size, label) => label > 0 && size < minArea);
  for (let i = 0; i < labels.length; i++)
    if (labels[i]! > 0 && knownLarge(i)) small[labels[i]!] = false;
  if (!small.includes(true)) return { mask, changed: false };

  const keep = new Uint8Array(sizes.length);
  if (mode === 'holes') {
    // Everything stays but the background that is not a small hole.
    for (let label = 1; label < sizes.length; label++) keep[label] = small[label] ? 1 : 0;
  } else {
    for (let label = 1; label < sizes.length; label++) keep[label] = small[label] ? 0 : 1;
    if (!keep.includes(1)) {
      let largest = 1;
      for (let label = 2; label < sizes.length; label++)
        if (sizes[label]! > sizes[largest]!) largest = label;
      keep[largest] = 1;
    }
  }
  const out = createBitmap(mask.width, mask.height);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    // Pixels outside the labelled class are the mask in 'holes' mode, background in 'islands'.
    out.data[i] = label === 0 ? (mode === 'holes' ? 1 : 0) : keep[label]!;
  }
  return { mask: out, changed: true };
}
