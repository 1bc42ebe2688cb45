import { describe, expect, it } from 'vitest';
import type { LowResLogits } from '../model/segmenter.js';
import { HttpError } from './http-error.js';
import { RefineTokens } from './refine-tokens.js';

function logits(fill: number): LowResLogits {
  return { width: 4, height: 4, data: new Float32Array(16).fill(fill) };
}

describe('RefineTokens', () => {
  it('issues distinct opaque tokens, past many draws of random bytes', () => {
    const tokens = new RefineTokens(2000);
    const issued = Array.from({ length: 1500 }, (_, i) => tokens.issue(1, logits(i)));
    expect(new Set(issued).size).toBe(issued.length);
    for (const token of issued) expect(token).toMatch(/^[A-Za-z0-9_-]{16}$/);
    // Each token leads back to its own logits.
    expect(tokens.take(1, issued[0]!).data[0]).toBe(0);
    expect(tokens.take(1, issued[1499]!).data[0]).toBe(1499);
  });

  it('refuses a token of another image, an unknown one and an evicted one', () => {
    const tokens = new RefineTokens(2);
    const first = tokens.issue(7, logits(1));
    const refusal = (imageId: number, token: string) => {
      try {
        tokens.take(imageId, token);
      } catch (err) {
        expect(err).toBeInstanceOf(HttpError);
        return (err as HttpError).message;
      }
      throw new Error('the token was taken');
    };
    expect(refusal(8, first)).toMatch(/belongs to image 7, not 8/);
    expect(refusal(7, 'nope')).toMatch(/unknown or expired/);
    tokens.issue(7, logits(2));
    tokens.issue(7, logits(3));
    expect(refusal(7, first)).toMatch(/unknown or expired/);
  });
});
