/** Masks drawn as text for readable tests: '#' is a set pixel, '.' a clear one. */
import { createBitmap, type Bitmap } from '../bitmap.js';

export function drawMask(...rows: string[]): Bitmap {
  const mask = createBitmap(rows[0]?.length ?? 0, rows.length);
  rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) mask.data[y * mask.width + x] = row[x] === '#' ? 1 : 0;
  });
  return mask;
}

export function maskRows(mask: Bitmap): string[] {
  const out: string[] = [];
  for (let y = 0; y < mask.height; y++) {
    let row = '';
    for (let x = 0; x < mask.width; x++) row += mask.data[y * mask.width + x] ? '#' : '.';
    out.push(row);
  }
  return out;
}
