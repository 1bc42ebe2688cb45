import { createWriteStream } from 'node:fs';
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { DigestMeter } from './hash-file.js';
import {
  DownloadAbortedError,
  DownloadError,
  HttpStatusError,
  RedirectError,
  TruncatedDownloadError,
} from './errors.js';

/** Hugging Face answers with a redirect to its CDN; GitHub release assets with one or two. */
export const MAX_REDIRECTS = 5;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

export interface DownloadOptions {
  signal?: AbortSignal;
  /** The download fails when no data arrives for this long. */
  idleTimeoutMs?: number;
  maxRedirects?: number;
  /** The size to expect when the server sends no Content-Length (a chunked answer). */
  expectedBytes?: number;
  /**
   * Called once the answer arrives (0 bytes) and for every chunk written; totalBytes is
   * undefined when the size is unknown.
   */
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void;
  userAgent?: string;
}

export interface DownloadResult {
  bytes: number;
  sha256: string;
  /** The URL that served the bytes, after redirects. */
  finalUrl: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

interface OpenResponse {
  request: ClientRequest;
  response: IncomingMessage;
  url: URL;
}

interface RequestState {
  timedOut: boolean;
}

/**
 * Streams `url` into `dest` (created, never overwritten), computing sha256 on the way, and
 * checks the byte count against Content-Length: a connection that drops early is a
 * TruncatedDownloadError, not a short file. On failure `dest` may hold partial data; the
 * caller owns its removal (pull works in a staging folder it deletes).
 */
export async function downloadFile(
  url: string,
  dest: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const state: RequestState = { timedOut: false };
  const { request, response, url: finalUrl } = await openFollowingRedirects(url, options, state);
  const where = finalUrl.href === url ? url : `${url} (served by ${finalUrl.href})`;
  const announced = contentLength(response);
  const total = announced ?? options.expectedBytes;
  // Once the answer is in, the size is known: progress can start from it.
  options.onProgress?.(0, total);
  const meter = new DigestMeter((bytes) => options.onProgress?.(bytes, total));
  const writer = createWriteStream(dest, { flags: 'wx' });
  let writeError: Error | undefined;
  writer.once('error', (err) => (writeError = err));
  try {
    await pipeline(response, meter, writer, { signal: options.signal });
  } catch (err) {
    request.destroy();
    if (options.signal?.aborted) throw new DownloadAbortedError(url, meter.bytes);
    if (state.timedOut) throw idleTimeoutError(where, url, meter.bytes, options);
    if (writeError) {
      const reason = systemCode(writeError) ?? writeError.message;
      throw new DownloadError(`Cannot write ${dest} while downloading ${where}: ${reason}.`, url, {
        cause: writeError,
      });
    }
    if (total !== undefined && meter.bytes < total) {
      throw new TruncatedDownloadError(where, total, meter.bytes, { cause: err });
    }
    throw new DownloadError(
      `Download of ${where} failed after ${meter.bytes} bytes: ${(err as Error).message}.`,
      url,
      { cause: err },
    );
  }
  if (total !== undefined && meter.bytes < total) {
    throw new TruncatedDownloadError(where, total, meter.bytes);
  }
  if (announced !== undefined && meter.bytes > announced) {
    throw new DownloadError(
      `Download of ${where} sent ${meter.bytes} bytes, more than its Content-Length ${announced}.`,
      url,
    );
  }
  return { ...meter.digest(), finalUrl: finalUrl.href };
}

async function openFollowingRedirects(
  startUrl: string,
  options: DownloadOptions,
  state: RequestState,
): Promise<OpenResponse> {
  const maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
  const chain = [startUrl];
  let current = parseUrl(startUrl);
  for (;;) {
    const opened = await get(current, startUrl, options, state);
    const status = opened.response.statusCode ?? 0;
    if (REDIRECT_STATUSES.has(status)) {
      opened.response.destroy();
      const location = opened.response.headers.location;
      if (!location) {
        throw new RedirectError(
          `HTTP ${status} from ${current.href} redirects without a Location header.`,
          startUrl,
          chain,
        );
      }
      const next = new URL(location, current);
      if (chain.includes(next.href)) {
        throw new RedirectError(
          `Redirect loop while downloading ${startUrl}: ${[...chain, next.href].join(' -> ')}.`,
          startUrl,
          chain,
        );
      }
      chain.push(next.href);
      if (chain.length - 1 > maxRedirects) {
        throw new RedirectError(
          `More than ${maxRedirects} redirects while downloading ${startUrl}: ${chain.join(' -> ')}.`,
          startUrl,
          chain,
        );
      }
      if (current.protocol === 'https:' && next.protocol !== 'https:') {
        throw new RedirectError(
          `Refusing the redirect from ${current.href} to ${next.href}: it leaves HTTPS.`,
          startUrl,
          chain,
        );
      }
      current = parseUrl(next.href);
      continue;
    }
    if (status !== 200) {
      opened.response.destroy();
      throw new HttpStatusError(current.href, status, opened.response.statusMessage ?? '');
    }
    return opened;
  }
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DownloadError(`Not a valid URL: "${text}".`, text);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DownloadError(`Cannot download ${text}: only http and https are supported.`, text);
  }
  return url;
}

function get(
  url: URL,
  startUrl: string,
  options: DownloadOptions,
  state: RequestState,
): Promise<OpenResponse> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.get(
      url,
      {
        headers: { 'user-agent': options.userAgent ?? 'sam-annotator', accept: '*/*' },
        signal: options.signal,
      },
      (response) => resolve({ request, response, url }),
    );
    // The socket timeout is an idle timeout: it covers connecting, the answer and every gap
    // between two chunks of the body.
    request.setTimeout(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, () => {
      state.timedOut = true;
      request.destroy();
    });
    request.on('error', (err) => {
      if (options.signal?.aborted) reject(new DownloadAbortedError(startUrl, 0));
      else if (state.timedOut) reject(idleTimeoutError(url.href, startUrl, 0, options));
      else {
        const code = systemCode(err) ?? err.message;
        reject(
          new DownloadError(
            `Cannot reach ${url.host} to download ${url.href}: ${code}.`,
            startUrl,
            {
              cause: err,
            },
          ),
        );
      }
    });
  });
}

function idleTimeoutError(
  where: string,
  url: string,
  received: number,
  options: DownloadOptions,
): DownloadError {
  const ms = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  return new DownloadError(
    `No data from ${where} for ${ms} ms (after ${received} bytes); ` +
      `the download timed out (models.downloadTimeoutMs).`,
    url,
  );
}

function contentLength(response: IncomingMessage): number | undefined {
  const text = response.headers['content-length'];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

function systemCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
