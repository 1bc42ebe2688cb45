import { describe, expect, it } from 'vitest';
import { MatScope, withMats } from './mat-scope.js';
import { loadOpenCv } from './opencv.js';

describe('MatScope / withMats', () => {
  it('deletes every kept Mat when the work returns or throws', async () => {
    const { cv } = await loadOpenCv();
    const kept: { isDeleted(): boolean }[] = [];
    const value = withMats((scope) => {
      kept.push(scope.keep(new cv.Mat(4, 4, cv.CV_8UC1)), scope.keep(new cv.Mat()));
      return 'done';
    });
    expect(value).toBe('done');
    expect(kept.map((m) => m.isDeleted())).toEqual([true, true]);
    const thrown: { isDeleted(): boolean }[] = [];
    expect(() =>
      withMats((scope) => {
        thrown.push(scope.keep(new cv.Mat(4, 4, cv.CV_8UC3)));
        throw new Error('work failed');
      }),
    ).toThrow('work failed');
    expect(thrown[0]!.isDeleted()).toBe(true);
  });

  it('goes on deleting after one delete fails, then reports the failure', async () => {
    const { cv } = await loadOpenCv();
    const scope = new MatScope();
    const first = scope.keep(new cv.Mat(2, 2, cv.CV_8UC1));
    const twice = scope.keep(new cv.Mat(2, 2, cv.CV_8UC1));
    twice.delete(); // deleting an embind object twice throws
    expect(() => scope.close()).toThrow();
    expect(first.isDeleted()).toBe(true);
  });
});
