import { describe, expect, it } from 'vitest';
import type { ObjectDto, ObjectWarning } from '../api/types';
import { warningsByObject } from './object-warnings';

function object(id: number, warnings: ObjectWarning[]): ObjectDto {
  return {
    id,
    imageId: 1,
    classId: 1,
    rle: { size: [1, 1], counts: '1' },
    bbox: [0, 0, 1, 1],
    area: 1,
    score: null,
    source: 'manual',
    prompts: null,
    createdAt: '',
    updatedAt: '',
    warnings,
  };
}

describe('warningsByObject', () => {
  it('shows an overlap on both objects of the pair, each pointing at the other', () => {
    const overlap: ObjectWarning = {
      kind: 'overlap',
      message: 'objects 1 and 3 overlap',
      otherObjectId: 3,
    };
    const small: ObjectWarning = { kind: 'small_area', message: 'object 2 is small' };
    const map = warningsByObject([object(1, [overlap]), object(2, [small]), object(3, [])]);
    expect(map.get(1)).toEqual([overlap]);
    expect(map.get(2)).toEqual([small]);
    expect(map.get(3)).toEqual([{ ...overlap, otherObjectId: 1 }]);
  });

  it('does not double a pair the server already lists on both sides, nor invent objects', () => {
    const a: ObjectWarning = { kind: 'overlap', message: 'm', otherObjectId: 2 };
    const b: ObjectWarning = { kind: 'overlap', message: 'm', otherObjectId: 1 };
    const gone: ObjectWarning = { kind: 'overlap', message: 'm', otherObjectId: 99 };
    const map = warningsByObject([object(1, [a, gone]), object(2, [b])]);
    expect(map.get(1)).toEqual([a, gone]);
    expect(map.get(2)).toEqual([b]);
    expect(map.has(99)).toBe(false);
  });
});
