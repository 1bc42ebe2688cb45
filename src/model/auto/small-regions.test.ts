import { describe, expect, it } from 'vitest';
import { drawMask, maskRows } from '../../geometry/testdata/ascii.js';
import { labelComponents, removeSmallRegions } from './small-regions.js';

describe('labelComponents', () => {
  it('joins diagonal neighbours (8-connectivity) and counts each component', () => {
    const mask = drawMask('##....', '##..#.', '..#...', '......', '.....#');
    const { labels, sizes } = labelComponents(mask, 1);
    expect(sizes.slice(1).sort((a, b) => a - b)).toEqual([1, 1, 5]);
    // (2, 2) touches the square only by a corner, and is in its component.
    expect(labels[2 * 6 + 2]).toBe(labels[0]);
  });
});

describe('removeSmallRegions', () => {
  it('removes islands under the area and keeps the rest', () => {
    const mask = drawMask('###.....', '###...#.', '###.....', '......##');
    const { mask: out, changed } = removeSmallRegions(mask, 3, 'islands');
    expect(changed).toBe(true);
    expect(maskRows(out)).toEqual(['###.....', '###.....', '###.....', '........']);
  });

  it('keeps the largest island when every island is under the area', () => {
    const mask = drawMask('#..##.', '......', '.#....');
    const { mask: out } = removeSmallRegions(mask, 10, 'islands');
    expect(maskRows(out)).toEqual(['...##.', '......', '......']);
  });

  it('fills holes under the area and leaves larger holes and the outside alone', () => {
    const mask = drawMask('..........', '.#########', '.#.#....##', '.####...##', '.#########');
    const { mask: out, changed } = removeSmallRegions(mask, 3, 'holes');
    expect(changed).toBe(true);
    expect(maskRows(out)).toEqual([
      '..........',
      '.#########',
      '.###....##',
      '.####...##',
      '.#########',
    ]);
  });

  it('reports no change, and returns the same mask, when nothing is small', () => {
    const mask = drawMask('.###.', '.###.', '.....');
    const result = removeSmallRegions(mask, 2, 'holes');
    expect(result.changed).toBe(false);
    expect(result.mask).toBe(mask);
    expect(removeSmallRegions(mask, 6, 'islands').changed).toBe(false);
  });

  it('never fills a background component marked as known to be large', () => {
    // The pocket at the left edge is 2 pixels here, but joins the background beyond the bitmap.
    const mask = drawMask('.###', '.#.#', '####');
    const knownLarge = (i: number): boolean => i % 4 === 0;
    const { mask: out } = removeSmallRegions(mask, 3, 'holes', knownLarge);
    expect(maskRows(out)).toEqual(['.###', '.###', '####']);
  });
});
