import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from '../log/logger.js';
import { StoreError, type StoreErrorKind } from '../store/index.js';
import type { ApiError } from './api-contract.js';
import { HttpError } from './http-error.js';

/** Errors of the layers below, by class name: their messages are written for users. */
const DOMAIN_ERRORS: Record<string, { statusCode: number; code: string }> = {
  PromptError: { statusCode: 400, code: 'bad_prompt' },
  RleError: { statusCode: 400, code: 'bad_mask' },
  GeometryError: { statusCode: 400, code: 'bad_request' },
  ImageDecodeError: { statusCode: 422, code: 'broken_image' },
  TileRequestError: { statusCode: 404, code: 'not_found' },
  ImageChangedError: { statusCode: 409, code: 'image_changed' },
  UnknownImageError: { statusCode: 404, code: 'not_found' },
  EngineClosedError: { statusCode: 503, code: 'unavailable' },
  MemoryPressureError: { statusCode: 503, code: 'memory_critical' },
};

const STORE_ERRORS: Record<StoreErrorKind, { statusCode: number; code: string }> = {
  'not-found': { statusCode: 404, code: 'not_found' },
  conflict: { statusCode: 409, code: 'conflict' },
  invalid: { statusCode: 400, code: 'bad_request' },
  // Another program holds the database's write lock: worth retrying, not a fault of ours.
  busy: { statusCode: 503, code: 'busy' },
  project: { statusCode: 500, code: 'project' },
};

/** What Fastify itself throws, by its error code, mapped to our codes and wording. */
const FASTIFY_ERRORS: Record<string, { statusCode: number; code: string; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    statusCode: 413,
    code: 'payload_too_large',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    statusCode: 415,
    code: 'unsupported_media_type',
    message: 'Send the body as application/json.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    statusCode: 400,
    code: 'bad_json',
    message: 'The body is empty but the content-type says JSON.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { statusCode: 400, code: 'bad_json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { statusCode: 400, code: 'bad_request' },
};

function fieldOf(error: unknown): string | undefined {
  const field = (error as { field?: unknown }).field;
  return typeof field === 'string' ? field : undefined;
}

/**
 * Every error leaves as an ApiError with a 4xx/5xx status. Known errors keep their message;
 * anything else is logged with its stack and answered with a generic 500, so internals (paths,
 * SQL) never reach the client.
 */
export function registerErrorHandler(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    let status = 500;
    let body: ApiError;
    const fastifyCode = (error as FastifyError).code;
    const known = fastifyCode ? FASTIFY_ERRORS[fastifyCode] : undefined;
    const domain =
      error instanceof StoreError ? STORE_ERRORS[error.kind] : DOMAIN_ERRORS[error.name];
    if (error instanceof HttpError) {
      status = error.statusCode;
      body = error.toBody();
    } else if (known) {
      status = known.statusCode;
      body = { error: { code: known.code, message: known.message ?? error.message } };
    } else if (error instanceof SyntaxError && (error as FastifyError).statusCode === 400) {
      status = 400;
      body = {
        error: { code: 'bad_json', message: `The body is not valid JSON: ${error.message}` },
      };
    } else if (domain) {
      status = domain.statusCode;
      const field = fieldOf(error);
      body = { error: { code: domain.code, message: error.message, ...(field ? { field } : {}) } };
    } else if ((error as FastifyError).statusCode && (error as FastifyError).statusCode! < 500) {
      status = (error as FastifyError).statusCode!;
      body = { error: { code: 'bad_request', message: error.message } };
    } else {
      body = {
        error: { code: 'internal', message: 'Internal error; the server log has details.' },
      };
    }
    if (status >= 500 && status !== 503) {
      logger.error({ err: error, method: request.method, url: request.url }, 'request failed');
    }
    void reply.status(status).type('application/json; charset=utf-8').send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ApiError = {
      error: {
        code: 'not_found',
        message: `No route ${request.method} ${request.url.split('?')[0]}`,
      },
    };
    void reply.status(404).send(body);
  });
}
