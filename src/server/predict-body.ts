import { describeValue } from '../geometry/errors.js';
import type { PredictBody } from './api-contract.js';
import { badRequest } from './http-error.js';
import { BOX_ORDER_RULE, isOrderedBox } from './schemas.js';

/**
 * The predict body, checked by hand instead of by a zod schema like the other bodies: it comes
 * with every click and hover, and zod's generic walk over it cost 30-65 µs per request once the
 * decoder's run had evicted zod from the CPU caches (this check: 2-9 µs). The rules are the
 * other bodies' (unknown fields refused, the first problem a 400 naming the field).
 */

type PredictPoint = PredictBody['points'][number];
type PredictBox = NonNullable<PredictBody['box']>;

function fail(field: string, problem: string): never {
  throw badRequest(`${field}: ${problem}`, field);
}

/** A plain object holding no key but `allowed` ones. */
function record(
  value: unknown,
  field: string,
  allowed: readonly string[],
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(field, `expected an object, got ${describeValue(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(field, `unknown field "${key}"`);
  }
  return value as Record<string, unknown>;
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(field, `expected a finite number, got ${describeValue(value)}`);
  }
  return value;
}

function point(value: unknown, field: string): PredictPoint {
  const p = record(value, field, ['x', 'y', 'label']);
  const x = finite(p.x, `${field}.x`);
  const y = finite(p.y, `${field}.y`);
  const label = p.label;
  if (label !== 0 && label !== 1) {
    fail(`${field}.label`, `expected 0 or 1, got ${describeValue(label)}`);
  }
  return { x, y, label };
}

function box(value: unknown): PredictBox {
  const b = record(value, 'body.box', ['x0', 'y0', 'x1', 'y1']);
  const checked = {
    x0: finite(b.x0, 'body.box.x0'),
    y0: finite(b.y0, 'body.box.y0'),
    x1: finite(b.x1, 'body.box.x1'),
    y1: finite(b.y1, 'body.box.y1'),
  };
  if (!isOrderedBox(checked)) fail('body.box', BOX_ORDER_RULE);
  return checked;
}

/** The body of POST /api/images/:id/predict (a missing body counts as `{}`). */
export function parsePredictBody(value: unknown, maxPoints: number): PredictBody {
  const body = record(value ?? {}, 'body', ['points', 'box', 'refineToken']);
  const points: PredictPoint[] = [];
  if (body.points !== undefined) {
    if (!Array.isArray(body.points)) {
      fail('body.points', `expected an array, got ${describeValue(body.points)}`);
    }
    if (body.points.length > maxPoints) fail('body.points', `at most ${maxPoints} points`);
    body.points.forEach((p: unknown, i) => points.push(point(p, `body.points[${i}]`)));
  }
  const parsed: PredictBody = { points };
  if (body.box !== undefined) parsed.box = box(body.box);
  const token = body.refineToken;
  if (token !== undefined) {
    if (typeof token !== 'string' || token.length < 1 || token.length > 100) {
      fail(
        'body.refineToken',
        `expected a string of 1 to 100 characters, got ${describeValue(token)}`,
      );
    }
    parsed.refineToken = token;
  }
  if (points.length === 0 && !parsed.box) fail('body', 'give at least one point or a box');
  return parsed;
}
