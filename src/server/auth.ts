import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';

export const TOKEN_COOKIE = 'sam_token';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.replace(/^\[|\]$/g, '')) || /^127\./.test(host);
}

/** Equal-time comparison of two secrets of any length (hashes first, so lengths do not leak). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function bearer(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1];
}

function queryToken(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const token = query?.token;
  return typeof token === 'string' ? token : undefined;
}

export interface AccessOptions {
  /** Required on every request when set. */
  token: string | null;
  /**
   * Host names the Host header may carry. Bound to loopback without a token, only loopback
   * names are accepted: a page on another site cannot reach the API through DNS rebinding.
   */
  allowedHosts: ReadonlySet<string> | null;
}

function hostName(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  if (hostHeader.startsWith('[')) return hostHeader.slice(1, hostHeader.indexOf(']'));
  const colon = hostHeader.lastIndexOf(':');
  return colon > 0 ? hostHeader.slice(0, colon) : hostHeader;
}

/**
 * Checks every request (pages, assets, API and events): the Host header against the allowed
 * names, then the token from `Authorization: Bearer`, the `sam_token` cookie, or `?token=`.
 * A valid `?token=` sets the cookie, so that assets and EventSource, which cannot send headers,
 * are authorised too.
 */
export function registerAccessControl(app: FastifyInstance, options: AccessOptions): void {
  // A callback hook, not an async one: it runs on every request, and an async hook costs a
  // promise and a turn of the microtask queue each time.
  app.addHook('onRequest', (request, reply, done) => {
    try {
      checkAccess(request, reply, options);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  });
}

function checkAccess(request: FastifyRequest, reply: FastifyReply, options: AccessOptions): void {
  if (options.allowedHosts && !options.allowedHosts.has(hostName(request.headers.host))) {
    throw new HttpError(
      403,
      'forbidden_host',
      `Host "${request.headers.host ?? ''}" is not served here; open the address the server printed.`,
    );
  }
  const expected = options.token;
  if (expected === null) return;
  const fromQuery = queryToken(request);
  const given =
    bearer(request.headers.authorization) ??
    fromQuery ??
    cookieValue(request.headers.cookie, TOKEN_COOKIE);
  if (given === undefined) {
    throw new HttpError(
      401,
      'unauthorized',
      'This server requires a token: open the URL with ?token=... or send Authorization: Bearer <token>.',
    );
  }
  if (!sameSecret(given, expected)) {
    throw new HttpError(401, 'unauthorized', 'The token is not correct.');
  }
  if (fromQuery !== undefined) {
    reply.header(
      'set-cookie',
      `${TOKEN_COOKIE}=${encodeURIComponent(expected)}; Path=/; HttpOnly; SameSite=Strict`,
    );
  }
}
