import type { z } from 'zod';
import { badRequest } from './http-error.js';

/** Where a value came from, so that messages say "body.points[3].x" or "query.limit". */
export type RequestPart = 'body' | 'query' | 'params';

/** `points[3].x` from zod's path. */
export function fieldPath(part: RequestPart, path: readonly PropertyKey[]): string {
  let field: string = part;
  for (const step of path) {
    field += typeof step === 'number' ? `[${step}]` : `.${String(step)}`;
  }
  return field;
}

/**
 * Checks one part of a request against its schema. The first problem becomes a 400 that names
 * the field and what was expected; the parsed (coerced, stripped) value is returned otherwise.
 */
export function parseRequest<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: RequestPart,
): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = fieldPath(part, issue.path);
  throw badRequest(`${field}: ${issue.message}`, field);
}
