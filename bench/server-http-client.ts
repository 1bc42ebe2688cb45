/**
 * The HTTP side of `npm run bench -- server`, in a process of its own, as a browser is: its own
 * request writing, response parsing and garbage collection do not land on the server's clock or
 * heap. The parent sends one request at a time over IPC; the answer carries the time from the
 * request's first byte written to the response's last byte read, and whether the server's
 * prediction cache answered.
 *
 * It speaks HTTP/1.1 over its keep-alive socket itself instead of through node:http's client.
 * That client's JavaScript (request object, agent, response parser, streams) cost this process
 * about 0.3 ms per round trip, measured on a bare GET /healthz right after a decoder run: the
 * client's code had gone cold during the ~10 ms the decoder ran, and it is neither the server's
 * cost nor what a browser's native network stack spends. The request is a whole one (request
 * line, Host, Content-Type, Content-Length, body) and the clock runs until every byte of the
 * response has arrived; the body is decoded and parsed only after that, as the page's own work.
 */
import { connect, type Socket } from 'node:net';

/** One POST as the parent asks for it. */
export interface ClientRequest {
  port: number;
  path: string;
  body: string;
}

export type ClientReply = { ms: number; cached: boolean } | { error: string };

interface Response {
  status: number;
  body: Buffer;
  /** process.hrtime.bigint() as the request was written and as the response's last byte came. */
  sent: bigint;
  arrived: bigint;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection, as a page holds its connection to the server; one request at a time. */
class Connection {
  private readonly socket: Socket;
  private readonly opened: Promise<void>;
  private chunks: Buffer[] = [];
  private received = 0;
  /** The response's length, head and body, once its head has arrived. */
  private expected = -1;
  private waiting: { sent: bigint; resolve(r: Response): void; reject(e: Error): void } | null =
    null;
  /** Set when the socket closed or failed: the next request opens another. */
  broken = false;

  constructor(readonly port: number) {
    this.socket = connect({ host: '127.0.0.1', port, noDelay: true });
    this.opened = new Promise((resolve) => this.socket.once('connect', resolve));
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Error('the server closed the connection')));
  }

  async send(head: string, body: string): Promise<Response> {
    await this.opened;
    return new Promise((resolve, reject) => {
      this.waiting = { sent: process.hrtime.bigint(), resolve, reject };
      this.socket.write(head + body);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    const arrived = process.hrtime.bigint();
    this.chunks.push(chunk);
    this.received += chunk.length;
    if (this.expected < 0) {
      const whole = Buffer.concat(this.chunks);
      this.chunks = [whole];
      const headEnd = whole.indexOf(HEAD_END);
      if (headEnd < 0) return;
      const head = whole.toString('latin1', 0, headEnd);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (!length) {
        this.fail(new Error(`a response without Content-Length: ${head.split('\r\n')[0]}`));
        return;
      }
      this.expected = headEnd + HEAD_END.length + Number(length[1]);
    }
    if (this.received < this.expected) return;
    const whole = Buffer.concat(this.chunks);
    if (whole.length > this.expected) {
      this.fail(new Error(`${whole.length - this.expected} bytes past the end of a response`));
      return;
    }
    const headEnd = whole.indexOf(HEAD_END);
    const status = Number(whole.toString('latin1', 9, 12));
    const waiting = this.waiting;
    this.reset();
    if (!waiting) return;
    const { sent, resolve } = waiting;
    resolve({ status, body: whole.subarray(headEnd + HEAD_END.length), sent, arrived });
  }

  private reset(): void {
    this.chunks = [];
    this.received = 0;
    this.expected = -1;
    this.waiting = null;
  }

  private fail(err: Error): void {
    this.broken = true;
    const waiting = this.waiting;
    this.reset();
    this.socket.destroy();
    waiting?.reject(err);
  }
}

let connection: Connection | null = null;

async function post({ port, path, body }: ClientRequest): Promise<ClientReply> {
  if (!connection || connection.broken || connection.port !== port) {
    connection?.close();
    connection = new Connection(port);
  }
  const head =
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  try {
    const response = await connection.send(head, body);
    const ms = Number(response.arrived - response.sent) / 1e6;
    const text = response.body.toString('utf8');
    if (response.status !== 200) return { error: `POST ${path}: HTTP ${response.status}: ${text}` };
    // Parsed as the page parses it; after the clock stopped, as the page's own work.
    const { cached } = JSON.parse(text) as { cached: boolean };
    return { ms, cached };
  } catch (err) {
    return { error: `POST ${path}: ${(err as Error).message}` };
  }
}

process.on('message', (message: ClientRequest | 'stop') => {
  if (message === 'stop') {
    connection?.close();
    process.disconnect();
    return;
  }
  void post(message).then((reply) => process.send!(reply));
});
