import { describe, expect, it } from 'vitest';
import { compareNames, compareRelPaths, isSimpleName } from './natural-sort.js';

const COLLATOR = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** The definition the fast keys must reproduce: collator order, then code units. */
function reference(a: string, b: string): number {
  const c = COLLATOR.compare(a, b);
  if (c !== 0) return Math.sign(c);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Deterministic pseudo-random numbers (mulberry32) so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('natural sort', () => {
  it('puts numbers in numeric order and ignores case', () => {
    const names = ['img10.jpg', 'IMG2.jpg', 'img1.jpg', 'img02.jpg', 'Img3.png', 'img20a.jpg'];
    // IMG2 and img02 are equal to the collator; the code-unit tie-break puts 'I' first.
    expect([...names].sort(compareNames)).toEqual([
      'img1.jpg',
      'IMG2.jpg',
      'img02.jpg',
      'Img3.png',
      'img10.jpg',
      'img20a.jpg',
    ]);
  });

  it('orders paths folder by folder', () => {
    const paths = ['b/1.jpg', 'a10/1.jpg', 'a2/x.jpg', 'a.jpg', 'a2.jpg', 'A2/y.jpg', 'a2/10.jpg'];
    // Folder "A2" before folder "a2" (tie-break), and folder "a2" before its prefix-sharing
    // sibling file "a2.jpg".
    expect([...paths].sort(compareRelPaths)).toEqual([
      'a.jpg',
      'A2/y.jpg',
      'a2/10.jpg',
      'a2/x.jpg',
      'a2.jpg',
      'a10/1.jpg',
      'b/1.jpg',
    ]);
  });

  it('orders printable ASCII names exactly like the collator, without it', () => {
    const next = random(7);
    const names: string[] = [];
    // A wide alphabet, and a digit-heavy one for runs with leading zeros.
    for (const alphabet of ["aAbBzZ0123456789 _-.,()[]~!#%+=@^`{}$&';", 'a00109.-']) {
      for (let i = 0; i < 1500; i++) {
        let name = '';
        const length = 1 + Math.floor(next() * 8);
        for (let j = 0; j < length; j++) name += alphabet[Math.floor(next() * alphabet.length)];
        names.push(name);
      }
    }
    let mismatches = 0;
    for (let i = 0; i + 1 < names.length; i++) {
      for (const j of [i + 1, names.length - 1 - i]) {
        const a = names[i]!;
        const b = names[j]!;
        if (Math.sign(compareNames(a, b)) !== reference(a, b)) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
    expect([...names].sort(compareNames)).toEqual([...names].sort(reference));
  });

  it('leaves names outside printable ASCII to the collator', () => {
    expect(isSimpleName('img_001 (2).jpg')).toBe(true);
    expect(isSimpleName('été.jpg')).toBe(false);
    expect(isSimpleName('tab\there.jpg')).toBe(false);
    expect(isSimpleName('x' + '7'.repeat(201))).toBe(false);
    const names = ['Zebra.jpg', 'été2.jpg', 'ete10.jpg', 'eté1.jpg', 'apple.jpg'];
    expect([...names].sort(compareNames)).toEqual([...names].sort(reference));
    expect([...names].sort(compareNames)[0]).toBe('apple.jpg');
  });
});
