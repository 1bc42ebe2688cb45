import { describe, expect, it } from 'vitest';
import { originalToSamPrompt } from '../../geometry/index.js';
import { PromptError, type Prompt } from '../segmenter.js';
import type { DecoderContract } from './contract.js';
import { MAX_PROMPT_POINTS, isAmbiguous, promptTensors, validatePrompt } from './prompt.js';

const A: DecoderContract = { kind: 'A', candidates: 4, lowRes: true };
const EDGE: DecoderContract = { kind: 'edgesam', candidates: 4, scores: 'scores' };
const B: DecoderContract = { kind: 'B', candidates: 3 };
const SIZE = { width: 640, height: 480 };

function fieldOf(prompt: unknown, decoder = A): string {
  try {
    validatePrompt(prompt as Prompt, SIZE, decoder);
  } catch (err) {
    expect(err).toBeInstanceOf(PromptError);
    return `${(err as PromptError).field}: ${(err as Error).message}`;
  }
  return 'valid';
}

describe('validatePrompt', () => {
  it('accepts clicks, a box and a mask input', () => {
    const prompt: Prompt = {
      points: [
        { x: 10, y: 20, label: 1 },
        { x: 640, y: 480, label: 0 },
      ],
      box: { x0: 5, y0: 5, x1: 100, y1: 90 },
      maskInput: { width: 256, height: 256, data: new Float32Array(256 * 256) },
    };
    expect(fieldOf(prompt)).toBe('valid');
  });

  it.each([
    [{ points: [] }, /^points: the prompt has no points and no box/],
    [{}, /^points: points must be an array/],
    [{ points: [{ x: Number.NaN, y: 3, label: 1 }] }, /^points\[0\]\.x: .* got NaN/],
    [{ points: [{ x: 3, y: 481, label: 1 }] }, /^points\[0\]\.y: .*from 0 to 480.* got 481/],
    [
      {
        points: [
          { x: 3, y: 4, label: 1 },
          { x: 3, y: 4, label: 2 },
        ],
      },
      /^points\[1\]\.label: .*got 2/,
    ],
    [{ points: [{ x: 3, y: 4, label: '1' }] }, /^points\[0\]\.label: .*got "1"/],
    [{ points: [], box: { x0: 1, y0: 2, x1: 1, y1: 9 } }, /^box: box must have a non-zero width/],
    [{ points: [], box: { x0: -1, y0: 2, x1: 5, y1: 9 } }, /^box\.x0: .*got -1/],
    [{ points: [], box: { x0: 1, y0: 2, x1: 5, y1: Infinity } }, /^box\.y1: .*got Infinity/],
  ])('names the field of %j', (prompt, expected) => {
    expect(fieldOf(prompt)).toMatch(expected);
  });

  it('refuses more than MAX_PROMPT_POINTS clicks', () => {
    const points = Array.from({ length: MAX_PROMPT_POINTS + 1 }, () => ({ x: 1, y: 1, label: 1 }));
    expect(fieldOf({ points })).toMatch(/^points: points has 65 clicks; at most 64/);
  });

  it('checks the mask input', () => {
    const click = [{ x: 1, y: 1, label: 1 }];
    const small = { width: 64, height: 64, data: new Float32Array(64 * 64) };
    expect(fieldOf({ points: click, maskInput: small })).toMatch(/^maskInput: .*got 64x64/);
    const nan = new Float32Array(256 * 256);
    nan[300] = Number.NaN;
    expect(fieldOf({ points: click, maskInput: { width: 256, height: 256, data: nan } })).toMatch(
      /^maskInput: maskInput\.data\[300\] is NaN/,
    );
    const fine = { width: 256, height: 256, data: new Float32Array(256 * 256) };
    expect(fieldOf({ points: click, maskInput: fine }, EDGE)).toMatch(/^maskInput: .*EdgeSAM/);
    expect(fieldOf({ points: click, maskInput: fine }, B)).toBe('valid');
  });
});

describe('promptTensors', () => {
  const points: Prompt['points'] = [
    { x: 100.5, y: 50.5, label: 1 },
    { x: 300, y: 200, label: 0 },
  ];
  const box = { x0: 10, y0: 20, x1: 110, y1: 220 };

  it('contract A: clicks then one padding point, in the reference convention', () => {
    const t = promptTensors({ points }, SIZE, A);
    const forward = originalToSamPrompt(SIZE, 'longest-side');
    const p0 = forward.forwardPoint(points[0]!);
    const p1 = forward.forwardPoint(points[1]!);
    expect(t.count).toBe(3);
    expect(Array.from(t.coords)).toEqual(Array.from(Float32Array.of(p0.x, p0.y, p1.x, p1.y, 0, 0)));
    expect(Array.from(t.labels)).toEqual([1, 0, -1]);
    // Pixel (100, 50) of a 640-wide picture (scale 1.6) reaches the decoder as 100 * 1.6.
    expect(t.coords[0]).toBeCloseTo(160, 4);
    expect(t.coords[1]).toBeCloseTo(80, 4);
    expect(t.hasMaskInput).toBe(0);
    expect(t.maskInput.length).toBe(256 * 256);
    expect(t.maskInput.every((v) => v === 0)).toBe(true);
    // One shared buffer of zeros, not 256 KB per click.
    expect(promptTensors({ points }, SIZE, B).maskInput).toBe(t.maskInput);
  });

  it('contract A with a box: clicks, then the corners with labels 2 and 3, no padding', () => {
    const t = promptTensors({ points, box }, SIZE, A);
    const corners = originalToSamPrompt(SIZE, 'longest-side').forwardBox(box);
    expect(Array.from(t.labels)).toEqual([1, 0, 2, 3]);
    expect(Array.from(t.coords.slice(4))).toEqual(
      Array.from(Float32Array.of(corners.x0, corners.y0, corners.x1, corners.y1)),
    );
  });

  it('contract B: box corners first, no padding point, squash coordinates', () => {
    const t = promptTensors({ points, box }, SIZE, B);
    const forward = originalToSamPrompt(SIZE, 'squash');
    const corners = forward.forwardBox(box);
    expect(Array.from(t.labels)).toEqual([2, 3, 1, 0]);
    expect(t.coords[0]).toBeCloseTo(corners.x0, 4);
    expect(t.coords[3]).toBeCloseTo(corners.y1, 4);
    expect(t.coords[4]).toBeCloseTo(forward.forwardPoint(points[0]!).x, 4);
    expect(Array.from(promptTensors({ points }, SIZE, B).labels)).toEqual([1, 0]);
  });

  it('passes the mask input through with its flag', () => {
    const data = new Float32Array(256 * 256).fill(2);
    const t = promptTensors({ points, maskInput: { width: 256, height: 256, data } }, SIZE, A);
    expect(t.hasMaskInput).toBe(1);
    expect(t.maskInput).toBe(data);
  });

  it('calls one click or a lone box ambiguous, anything more not', () => {
    expect(isAmbiguous({ points: points.slice(0, 1) })).toBe(true);
    expect(isAmbiguous({ points: [], box })).toBe(true);
    expect(isAmbiguous({ points })).toBe(false);
    expect(isAmbiguous({ points: points.slice(0, 1), box })).toBe(false);
  });
});
