import { describe, expect, it } from 'vitest';
import { originalToModel } from '../../geometry/index.js';
import { PromptError, type Prompt } from '../segmenter.js';
import { toWorkingPrompt } from './prompt.js';

const original = { width: 1500, height: 1000 };
const toWorking = originalToModel(original, 'longest-side');

function fieldOf(prompt: unknown): string {
  try {
    toWorkingPrompt(prompt as Prompt, original, toWorking);
  } catch (err) {
    expect(err).toBeInstanceOf(PromptError);
    return (err as PromptError).field;
  }
  throw new Error('accepted');
}

describe('toWorkingPrompt', () => {
  it('maps points and the box to the 1024-px working frame', () => {
    const working = toWorkingPrompt(
      {
        points: [
          { x: 750, y: 500, label: 1 },
          { x: 1500, y: 0, label: 0 },
        ],
        box: { x0: 1500, y0: 1000, x1: 0, y1: 0 },
      },
      original,
      toWorking,
    );
    expect(working.points).toEqual([
      { x: 512, y: 500 * (683 / 1000), positive: true },
      { x: 1024, y: 0, positive: false },
    ]);
    // Corners in any order come back ordered.
    expect(working.box).toEqual({ x0: 0, y0: 0, x1: 1024, y1: 683 });
  });

  it('clips a box that runs past the picture', () => {
    const working = toWorkingPrompt(
      { points: [], box: { x0: -50, y0: 900, x1: 150, y1: 1200 } },
      original,
      toWorking,
    );
    expect(working.box!.x0).toBe(0);
    expect(working.box!.y1).toBeCloseTo(683, 9);
  });

  it('names the field of a prompt it refuses', () => {
    expect(fieldOf(null)).toBe('prompt');
    expect(fieldOf({})).toBe('points');
    expect(fieldOf({ points: [] })).toBe('points');
    expect(fieldOf({ points: [{ x: 1, y: 1, label: 0 }] })).toBe('points');
    expect(fieldOf({ points: [null] })).toBe('points[0]');
    expect(fieldOf({ points: [{ x: '3', y: 1, label: 1 }] })).toBe('points[0].x');
    expect(
      fieldOf({
        points: [
          { x: 1, y: 1, label: 1 },
          { x: 1501, y: 1, label: 1 },
        ],
      }),
    ).toBe('points[1].x');
    expect(fieldOf({ points: [{ x: 1, y: Number.NaN, label: 1 }] })).toBe('points[0].y');
    expect(fieldOf({ points: [{ x: 1, y: 1, label: true }] })).toBe('points[0].label');
    expect(fieldOf({ points: [], box: [0, 0, 10, 10] })).toBe('box.x0');
    expect(fieldOf({ points: [], box: { x0: 0, y0: 0, x1: 10 } })).toBe('box.y1');
    expect(fieldOf({ points: [], box: { x0: 10, y0: 10, x1: 10.5, y1: 50 } })).toBe('box');
    expect(fieldOf({ points: [], box: { x0: -20, y0: 0, x1: -10, y1: 50 } })).toBe('box');
  });
});
