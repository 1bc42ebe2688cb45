import type { ApiError } from './api-contract.js';

/** An error the API answers with its own status and code; the message is shown to the user. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toBody(): ApiError {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field ? { field: this.field } : {}),
      },
    };
  }
}

export function badRequest(message: string, field?: string): HttpError {
  return new HttpError(400, 'bad_request', message, field);
}

export function notFound(message: string, field?: string): HttpError {
  return new HttpError(404, 'not_found', message, field);
}

export function conflict(message: string, field?: string): HttpError {
  return new HttpError(409, 'conflict', message, field);
}

export function unavailable(message: string): HttpError {
  return new HttpError(503, 'unavailable', message);
}
