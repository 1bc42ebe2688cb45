/**
 * The HTTP side of `npm run bench -- server`, in a process of its own, as a browser is: its own
 * request writing, response parsing and garbage collection do not land on the server's clock or
 * heap. The parent sends one request at a time over IPC; the answer carries the time from the
 * first byte written to the last byte read, and whether the server's prediction cache answered.
 */
import { Agent, request as httpRequest } from 'node:http';

/** One POST as the parent asks for it. */
export interface ClientRequest {
  port: number;
  path: string;
  body: string;
}

export type ClientReply = { ms: number; cached: boolean } | { error: string };

// One keep-alive connection, as a page holds its connection to the server.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function post({ port, path, body }: ClientRequest): Promise<ClientReply> {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - start) / 1e6;
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) {
            resolve({ error: `POST ${path}: HTTP ${res.statusCode}: ${text}` });
            return;
          }
          // Parsed as the page parses it; after the clock stopped, as the page's own work.
          const { cached } = JSON.parse(text) as { cached: boolean };
          resolve({ ms, cached });
        });
      },
    );
    req.on('error', (err) => resolve({ error: `POST ${path}: ${err.message}` }));
    req.end(body);
  });
}

process.on('message', (message: ClientRequest | 'stop') => {
  if (message === 'stop') {
    agent.destroy();
    process.disconnect();
    return;
  }
  void post(message).then((reply) => process.send!(reply));
});
