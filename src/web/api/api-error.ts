import type { ApiError } from './types';

/**
 * A failed request. `message` is the server's ApiError sentence when there is one, so the page
 * can show it as it stands; `code` and `field` come from the same body.
 */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly field: string | undefined,
    readonly request: string,
  ) {
    super(message);
  }
}

export function isApiErrorBody(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string' &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

/** The error for a non-2xx answer, from its body when it is an ApiError. */
export function errorFromResponse(
  request: string,
  status: number,
  statusText: string,
  body: unknown,
): ApiRequestError {
  if (isApiErrorBody(body)) {
    const { code, message, field } = body.error;
    return new ApiRequestError(message, status, code, field, request);
  }
  const reason = statusText ? `${status} ${statusText}` : String(status);
  return new ApiRequestError(
    `${request} failed with HTTP ${reason}`,
    status,
    status === 401 ? 'unauthorized' : 'http_error',
    undefined,
    request,
  );
}

/** One sentence for any thrown value, for toasts and banners. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
