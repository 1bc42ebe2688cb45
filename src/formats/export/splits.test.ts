import { describe, expect, it } from 'vitest';
import { ExportError } from './errors.js';
import { parseSplits, pathFraction, splitOf } from './splits.js';

describe('parseSplits', () => {
  it('reads NAME=FRACTION lists', () => {
    expect(parseSplits('train=0.8, val=0.2')).toEqual([
      { name: 'train', fraction: 0.8 },
      { name: 'val', fraction: 0.2 },
    ]);
    expect(parseSplits('train=0.7,val=0.2,test=0.1')).toHaveLength(3);
  });

  it.each([
    ['', /must look like/],
    ['train', /not NAME=FRACTION/],
    ['train=0.8,val=0.3', /add up to 1/],
    ['train=0.5,train=0.5', /given twice/],
    ['train=abc,val=0.5', /fraction of "train"/],
    ['tr/ain=0.5,val=0.5', /split name/],
    ['train=1.2,val=-0.2', /fraction of "train"/],
  ])('refuses %j', (text, message) => {
    expect(() => parseSplits(text)).toThrow(ExportError);
    expect(() => parseSplits(text)).toThrow(message);
  });
});

describe('splitOf', () => {
  const specs = parseSplits('train=0.8,val=0.2');
  const paths = Array.from({ length: 4000 }, (_, i) => `folder${i % 7}/image${i}.jpg`);

  it('gives each path the same split every time', () => {
    expect(paths.map((p) => splitOf(p, specs))).toEqual(paths.map((p) => splitOf(p, specs)));
  });

  it('cuts close to the asked fractions', () => {
    const val = paths.filter((p) => splitOf(p, specs) === 'val').length / paths.length;
    expect(val).toBeGreaterThan(0.17);
    expect(val).toBeLessThan(0.23);
  });

  it('depends on the path alone: other images never move an image', () => {
    expect(pathFraction('a/b.jpg')).toBe(pathFraction('a/b.jpg'));
    expect(pathFraction('a/b.jpg')).not.toBe(pathFraction('a/c.jpg'));
    const u = pathFraction('cats/001.png');
    expect(u).toBeGreaterThanOrEqual(0);
    expect(u).toBeLessThan(1);
  });
});
