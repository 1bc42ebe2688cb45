import { describe, expect, it } from 'vitest';
import { ExportError } from './errors.js';
import { OutputClaims, stemPath, yoloLabelPath } from './label-paths.js';

describe('stemPath', () => {
  it.each([
    ['cats/001.jpg', 'cats/001'],
    ['a.b/c.tar.png', 'a.b/c.tar'],
    ['plain', 'plain'],
    ['dir.v2/plain', 'dir.v2/plain'],
    ['.hidden', '.hidden'],
  ])('%s -> %s', (input, stem) => expect(stemPath(input)).toBe(stem));
});

describe('yoloLabelPath', () => {
  it('mirrors folders under labels/', () => {
    expect(yoloLabelPath('cats/001.jpg')).toBe('labels/cats/001.txt');
    expect(yoloLabelPath('001.jpg')).toBe('labels/001.txt');
  });

  it('follows Ultralytics when a folder of the image is itself called images', () => {
    // img2label_paths swaps the last /images/ of images/images/x.jpg.
    expect(yoloLabelPath('images/x.jpg')).toBe('images/labels/x.txt');
    expect(yoloLabelPath('a/images/b/x.jpg')).toBe('images/a/labels/b/x.txt');
  });
});

describe('OutputClaims', () => {
  it('refuses two images writing one file, ignoring case', () => {
    const claims = new OutputClaims('the label');
    claims.claim('labels/a/b.txt', 'a/b.jpg');
    claims.claim('labels/c/b.txt', 'c/b.jpg');
    expect(() => claims.claim('labels/a/b.txt', 'a/b.png')).toThrow(ExportError);
    expect(() => claims.claim('labels/A/B.txt', 'A/B.jpg')).toThrow(/a\/b\.jpg and A\/B\.jpg/);
  });
});
