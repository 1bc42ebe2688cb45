import { describe, expect, it } from 'vitest';
import { withMats } from './mat-scope.js';
import { loadOpenCv } from './opencv.js';

describe('loadOpenCv', () => {
  it('loads one ready module for the whole process, without taking over process events', async () => {
    const rejections = process.listeners('unhandledRejection').length;
    const exceptions = process.listeners('uncaughtException').length;
    const [a, b] = await Promise.all([loadOpenCv(), loadOpenCv()]);
    expect(a.cv).toBe(b.cv);
    expect((await loadOpenCv()).cv).toBe(a.cv);
    expect(process.listeners('unhandledRejection')).toHaveLength(rejections);
    expect(process.listeners('uncaughtException')).toHaveLength(exceptions);
    const { cv } = a;
    const sum = withMats((scope) => {
      const m = scope.keep(new cv.Mat(2, 3, cv.CV_8UC1, new cv.Scalar(7)));
      return m.data.reduce((s, v) => s + v, 0);
    });
    expect(sum).toBe(42);
  });
});
