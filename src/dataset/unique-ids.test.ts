import { describe, expect, it } from 'vitest';
import type { ImageEntry } from './image-entry.js';
import { imageIdOf, unnormalisedImageIdOf } from './image-id.js';
import { assignUniqueIds, spelledOut } from './unique-ids.js';

function entry(relPath: string, id = imageIdOf(relPath)): ImageEntry {
  return { id, relPath, absPath: `/data/${relPath}`, bytes: 1, mtimeMs: 1, format: 'png' };
}

describe('assignUniqueIds', () => {
  it('leaves distinct ids alone', () => {
    const scanned = ['a.png', 'b.png', 'caf\u00e9.png'].map((rel) => entry(rel));
    const ids = assignUniqueIds(scanned);
    expect(ids.entries).toEqual(scanned);
    expect([...ids.positionById]).toEqual(scanned.map((e, i) => [e.id, i]));
    expect(ids.reassigned).toEqual([]);
    expect(ids.problems).toEqual([]);
  });

  it('gives the name not in NFC an id of its own, whichever of the two comes first', () => {
    for (const order of [
      ['cafe\u0301.png', 'caf\u00e9.png'],
      ['caf\u00e9.png', 'cafe\u0301.png'],
    ]) {
      const ids = assignUniqueIds(order.map((rel) => entry(rel)));
      const byName = new Map(ids.entries.map((e) => [e.relPath, e]));
      expect(byName.get('caf\u00e9.png')!.id).toBe(imageIdOf('caf\u00e9.png'));
      expect(byName.get('cafe\u0301.png')!.id).toBe(unnormalisedImageIdOf('cafe\u0301.png'));
      expect(ids.entries.map((e) => e.relPath)).toEqual(order);
      for (const [id, position] of ids.positionById) expect(ids.entries[position]!.id).toBe(id);
      expect(ids.reassigned.map((r) => [r.entry.relPath, r.usualIdHeldBy.relPath])).toEqual([
        ['cafe\u0301.png', 'caf\u00e9.png'],
      ]);
    }
  });

  it('leaves the later file of a true hash collision out, as a scan problem naming both', () => {
    // A first name forced onto the second's id stands for a 64-bit FNV collision.
    const clash = imageIdOf('tw\u00f6.png');
    const ids = assignUniqueIds([
      entry('one.png', clash),
      entry('tw\u00f6.png'),
      entry('three.png'),
    ]);
    expect(ids.entries.map((e) => e.relPath)).toEqual(['one.png', 'three.png']);
    expect(ids.positionById.get(imageIdOf('three.png'))).toBe(1);
    expect(ids.problems).toEqual([
      {
        path: '/data/tw\u00f6.png',
        message: `left out: tw\\u00f6.png has the same id ${clash} as one.png; rename one of them`,
      },
    ]);
  });
});

describe('spelledOut', () => {
  it('writes every character outside printable ASCII as its code point', () => {
    expect(spelledOut('cafe\u0301.png')).toBe('cafe\\u0301.png');
    expect(spelledOut('caf\u00e9.png')).toBe('caf\\u00e9.png');
    expect(spelledOut('a/\u{1f600}\t.jpg')).toBe('a/\\u{1f600}\\u0009.jpg');
    expect(spelledOut('plain name.jpg')).toBe('plain name.jpg');
  });
});
