import { describe, expect, it } from 'vitest';
import { imageIdOf, unnormalisedImageIdOf } from './image-id.js';

describe('imageIdOf', () => {
  it('is the 64-bit FNV-1a hash of the path (published test vectors)', () => {
    expect(imageIdOf('')).toBe('cbf29ce484222325');
    expect(imageIdOf('a')).toBe('af63dc4c8601ec8c');
    expect(imageIdOf('foobar')).toBe('85944171f73967e8');
  });

  it('hashes UTF-8 and does not depend on Unicode normalisation', () => {
    const composed = 'caf\u00e9/photo.jpg';
    const decomposed = 'cafe\u0301/photo.jpg';
    expect(imageIdOf(decomposed)).toBe(imageIdOf(composed));
    expect(imageIdOf(composed)).toMatch(/^[0-9a-f]{16}$/);
    expect(imageIdOf(composed)).not.toBe(imageIdOf('cafe/photo.jpg'));
  });

  it('hashes the name as spelled when asked to, equal to imageIdOf for NFC and ASCII names', () => {
    expect(unnormalisedImageIdOf('cafe\u0301/photo.jpg')).not.toBe(
      imageIdOf('cafe\u0301/photo.jpg'),
    );
    expect(unnormalisedImageIdOf('caf\u00e9/photo.jpg')).toBe(imageIdOf('caf\u00e9/photo.jpg'));
    expect(unnormalisedImageIdOf('foobar')).toBe('85944171f73967e8');
  });

  it('gives different ids to paths that differ only in case or folder', () => {
    const ids = new Set(['a/b.jpg', 'A/b.jpg', 'a/B.jpg', 'ab.jpg', 'a/b.JPG'].map(imageIdOf));
    expect(ids.size).toBe(5);
  });
});
