import { describe, expect, it } from 'vitest';
import { HttpError } from './http-error.js';
import { parsePredictBody } from './predict-body.js';

/** The 400 a body gets: its field and message. */
function refusal(body: unknown, maxPoints = 4): { field: string | undefined; message: string } {
  try {
    parsePredictBody(body, maxPoints);
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    const error = err as HttpError;
    expect(error.statusCode).toBe(400);
    return { field: error.field, message: error.message };
  }
  throw new Error(`${JSON.stringify(body)} was accepted`);
}

describe('parsePredictBody', () => {
  it('takes points, a box and a refine token, and nothing else of the object', () => {
    const body = {
      points: [
        { x: 10.5, y: 0, label: 1 },
        { x: 3, y: 4, label: 0 },
      ],
      box: { x0: 1, y0: 2, x1: 30, y1: 40 },
      refineToken: 'tok',
    };
    const parsed = parsePredictBody(body, 4);
    expect(parsed).toEqual(body);
    expect(parsed.points[0]).not.toBe(body.points[0]);
  });

  it('takes a box alone, with no points', () => {
    expect(parsePredictBody({ box: { x0: 0, y0: 0, x1: 5, y1: 5 } }, 4)).toEqual({
      points: [],
      box: { x0: 0, y0: 0, x1: 5, y1: 5 },
    });
  });

  it('refuses a body with nothing to segment, a missing body included', () => {
    for (const body of [{}, { points: [] }, undefined, null]) {
      expect(refusal(body)).toEqual({
        field: 'body',
        message: 'body: give at least one point or a box',
      });
    }
  });

  it('names an unknown field of the body and of a point', () => {
    expect(refusal({ points: [{ x: 1, y: 1, label: 1 }], evil: true })).toEqual({
      field: 'body',
      message: 'body: unknown field "evil"',
    });
    expect(refusal({ points: [{ x: 1, y: 1, label: 1, z: 2 }] }).message).toBe(
      'body.points[0]: unknown field "z"',
    );
    expect(refusal({ box: { x0: 0, y0: 0, x1: 5, y1: 5, w: 5 } }).field).toBe('body.box');
  });

  it('names the coordinate or label that is wrong', () => {
    const cases: Array<[unknown, string]> = [
      [{ x: 'a', y: 1, label: 1 }, 'body.points[1].x'],
      [{ x: 1, y: Number.NaN, label: 1 }, 'body.points[1].y'],
      [{ x: 1, label: 1 }, 'body.points[1].y'],
      [{ x: 1, y: 1, label: 2 }, 'body.points[1].label'],
      [{ x: 1, y: 1, label: '1' }, 'body.points[1].label'],
      [[1, 1, 1], 'body.points[1]'],
      [null, 'body.points[1]'],
    ];
    for (const [second, field] of cases) {
      const { field: named, message } = refusal({ points: [{ x: 1, y: 1, label: 1 }, second] });
      expect(named).toBe(field);
      expect(message.startsWith(`${field}: `)).toBe(true);
    }
    expect(refusal({ points: [{ x: 'a', y: 1, label: 1 }] }).message).toBe(
      'body.points[0].x: expected a finite number, got "a"',
    );
  });

  it('limits the number of points', () => {
    const points = Array.from({ length: 5 }, (_, i) => ({ x: i, y: i, label: 1 }));
    expect(refusal({ points })).toEqual({
      field: 'body.points',
      message: 'body.points: at most 4 points',
    });
    expect(parsePredictBody({ points }, 5).points).toHaveLength(5);
  });

  it('refuses points that are not an array, and an unordered or partial box', () => {
    expect(refusal({ points: { x: 1, y: 1, label: 1 } }).field).toBe('body.points');
    expect(refusal({ box: { x0: 5, y0: 0, x1: 5, y1: 9 } })).toEqual({
      field: 'body.box',
      message: 'body.box: a box needs x1 > x0 and y1 > y0',
    });
    expect(refusal({ box: { x0: 0, y0: 0, x1: 5 } }).field).toBe('body.box.y1');
    expect(refusal({ box: [0, 0, 5, 5] }).field).toBe('body.box');
  });

  it('refuses a refine token that is not a short string', () => {
    const point = { x: 1, y: 1, label: 1 };
    for (const refineToken of ['', 'x'.repeat(101), 7, null]) {
      expect(refusal({ points: [point], refineToken }).field).toBe('body.refineToken');
    }
    expect(parsePredictBody({ points: [point], refineToken: 'x'.repeat(100) }, 4).refineToken).toBe(
      'x'.repeat(100),
    );
  });

  it('refuses a body that is not an object', () => {
    for (const body of [[], 'points', 3]) expect(refusal(body).field).toBe('body');
  });
});
