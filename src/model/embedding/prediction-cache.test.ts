import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/index.js';
import { bitmapArea, bitmapBbox, createBitmap, encodeMask } from '../../geometry/index.js';
import type { Candidate, Prompt } from '../segmenter.js';
import { PredictionCache } from './prediction-cache.js';
import { canonicalPrompt } from './prompt-key.js';

function candidate(side: number, fill: number): Candidate {
  const mask = createBitmap(side, side);
  mask.data.fill(1, 0, fill);
  return {
    mask,
    rle: encodeMask(mask),
    bbox: bitmapBbox(mask),
    area: bitmapArea(mask),
    predictedIou: 0.9,
    stabilityScore: 0.95,
    lowRes: { width: 4, height: 4, data: new Float32Array(16).fill(fill) },
  };
}

const click = (x: number, y: number, label: 0 | 1 = 1): Prompt => ({ points: [{ x, y, label }] });

function cacheFromConfig(budgetBytes = 1 << 30) {
  const config = defaultConfig();
  return new PredictionCache({
    maxEntries: config.get('cache.predictions.maxEntries'),
    ttlMs: config.get('cache.predictions.ttlSeconds') * 1000,
    budgetBytes,
  });
}

describe('canonicalPrompt', () => {
  it('keeps point order, which SAM reads as a sequence', () => {
    const a: Prompt = {
      points: [
        { x: 1, y: 2, label: 1 },
        { x: 3, y: 4, label: 0 },
      ],
    };
    const b: Prompt = {
      points: [
        { x: 3, y: 4, label: 0 },
        { x: 1, y: 2, label: 1 },
      ],
    };
    expect(canonicalPrompt(a)).not.toBe(canonicalPrompt(b));
  });

  it('rounds coordinates to 1e-3 pixel, so float noise from view transforms still hits', () => {
    expect(canonicalPrompt(click(10.0004, 20))).toBe(canonicalPrompt(click(10, 19.9996)));
    expect(canonicalPrompt(click(-0.0001, 0))).toBe(canonicalPrompt(click(0, 0)));
    expect(canonicalPrompt(click(10.002, 20))).not.toBe(canonicalPrompt(click(10, 20)));
    expect(canonicalPrompt(click(10, 20, 0))).not.toBe(canonicalPrompt(click(10, 20, 1)));
    expect(canonicalPrompt(click(10.5, 20.25))).toBe('p:10.5,20.25,1|b:-|m:-');
  });

  it('includes the box and a hash of the refinement logits', () => {
    const box = { x0: 1, y0: 2, x1: 30, y1: 40 };
    const logits = { width: 4, height: 4, data: new Float32Array(16).fill(0.5) };
    const withBox = canonicalPrompt({ points: [], box });
    expect(withBox).toBe('p:|b:1,2,30,40|m:-');
    expect(canonicalPrompt({ points: [], box: { ...box, x1: 31 } })).not.toBe(withBox);
    const refined = canonicalPrompt({ ...click(5, 5), maskInput: logits });
    expect(refined).toMatch(/^p:5,5,1\|b:-\|m:4x4:[\w-]{43}$/);
    const sameValues = { width: 4, height: 4, data: new Float32Array(16).fill(0.5) };
    expect(canonicalPrompt({ ...click(5, 5), maskInput: sameValues })).toBe(refined);
    const changed = { width: 4, height: 4, data: new Float32Array(16).fill(0.5) };
    changed.data[7] = 0.25;
    expect(canonicalPrompt({ ...click(5, 5), maskInput: changed })).not.toBe(refined);
    const reshaped = { width: 8, height: 2, data: new Float32Array(16).fill(0.5) };
    expect(canonicalPrompt({ ...click(5, 5), maskInput: reshaped })).not.toBe(refined);
  });
});

describe('PredictionCache', () => {
  it('answers the same prompt on the same image and model, and counts hits and misses', () => {
    const cache = cacheFromConfig();
    const answer = [candidate(8, 10), candidate(8, 20)];
    expect(cache.get('sam', 'img-1', click(3, 4))).toBeUndefined();
    expect(cache.set('sam', 'img-1', click(3, 4), answer)).toBe(true);
    expect(cache.get('sam', 'img-1', click(3, 4.0001))).toBe(answer);
    expect(cache.get('sam', 'img-1', click(4, 3))).toBeUndefined();
    expect(cache.get('sam', 'img-2', click(3, 4))).toBeUndefined();
    expect(cache.get('other-model', 'img-1', click(3, 4))).toBeUndefined();
    expect(cache.stats()).toMatchObject({ name: 'predictions', hits: 1, misses: 4, entries: 1 });
  });

  it('keeps at most cache.predictions.maxEntries (50) answers, least recently used out first', () => {
    const cache = cacheFromConfig();
    for (let i = 0; i < 50; i++) cache.set('sam', 'img', click(i, 0), [candidate(4, 1)]);
    cache.get('sam', 'img', click(0, 0)); // now the most recent
    cache.set('sam', 'img', click(50, 0), [candidate(4, 1)]);
    expect(cache.stats().entries).toBe(50);
    expect(cache.get('sam', 'img', click(0, 0))).toBeDefined();
    expect(cache.get('sam', 'img', click(1, 0))).toBeUndefined();
    expect(cache.stats().evictions.budget).toBe(1);
  });

  it('counts mask and logits bytes against its budget', () => {
    const cache = cacheFromConfig(20_000);
    expect(cache.set('sam', 'img', click(1, 1), [candidate(100, 5)])).toBe(true);
    expect(cache.cache.sizeBytes).toBeGreaterThan(100 * 100 + 64);
    expect(cache.set('sam', 'img', click(2, 2), [candidate(200, 5)])).toBe(false);
  });

  it('drops the answers of a changed image or a replaced model, and only those', () => {
    const cache = cacheFromConfig();
    cache.set('sam', 'img-1@v1', click(1, 1), [candidate(4, 1)]);
    cache.set('sam', 'img-1@v1', click(2, 2), [candidate(4, 2)]);
    cache.set('sam', 'img-2@v1', click(1, 1), [candidate(4, 3)]);
    cache.set('mobile', 'img-2@v1', click(1, 1), [candidate(4, 4)]);
    expect(cache.invalidateImage('img-1@v1')).toBe(2);
    expect(cache.get('sam', 'img-1@v1', click(1, 1))).toBeUndefined();
    expect(cache.get('sam', 'img-2@v1', click(1, 1))).toBeDefined();
    expect(cache.invalidateModel('sam')).toBe(1);
    expect(cache.get('sam', 'img-2@v1', click(1, 1))).toBeUndefined();
    expect(cache.get('mobile', 'img-2@v1', click(1, 1))).toBeDefined();
    expect(cache.stats()).toMatchObject({ invalidated: 3, entries: 1 });
  });
});
