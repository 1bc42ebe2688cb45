import { createHash, randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 (port 0) whose routes the test sets. */
export interface TestServer {
  baseUrl: string;
  /** Requests received per path. */
  hits: Map<string, number>;
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = routes.get(path);
    if (handler) handler(req, res);
    else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    hits,
    route: (path, handler) => void routes.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves the bytes with a Content-Length (or chunked, without one). */
export function serveBytes(data: Buffer, options: { chunked?: boolean } = {}): Handler {
  return (_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      ...(options.chunked ? {} : { 'content-length': String(data.length) }),
    });
    res.end(data);
  };
}

export function serveStatus(status: number): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(`status ${status}`);
  };
}

export function redirectTo(location: string, status = 302): Handler {
  return (_req, res) => {
    res.writeHead(status, { location });
    res.end();
  };
}

/** Announces the full length, sends only `sentBytes`, then closes the connection. */
export function serveTruncated(data: Buffer, sentBytes: number): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-length': String(data.length) });
    res.write(data.subarray(0, sentBytes), () => {
      // Let the bytes reach the client before the connection drops.
      setTimeout(() => res.socket?.destroy(), 20);
    });
  };
}

/**
 * Sends the head and a first chunk, then the rest only after `release()` (or never): a slow
 * or stalled server for abort and timeout tests.
 */
export function serveStalled(data: Buffer, firstBytes: number): Handler & { release(): void } {
  const waiting: ServerResponse[] = [];
  const handler = ((_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-length': String(data.length) });
    res.write(data.subarray(0, firstBytes));
    waiting.push(res);
  }) as Handler & { release(): void };
  handler.release = () => {
    for (const res of waiting.splice(0)) if (!res.destroyed) res.end(data.subarray(firstBytes));
  };
  return handler;
}

export function sha256Of(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Bytes standing in for an .onnx file: pull never parses them. */
export function fakeOnnx(bytes: number): Buffer {
  return randomBytes(bytes);
}
