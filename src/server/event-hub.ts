import type { ServerResponse } from 'node:http';
import type { ServerEvents } from './api-contract.js';

export type EventName = keyof ServerEvents;

interface Client {
  response: ServerResponse;
}

/**
 * Server-sent events to every open page. A page that connects gets the latest value of each
 * event at once, so the status bar never starts empty. Slow clients are dropped rather than
 * buffered without bound.
 */
export class EventHub {
  private readonly clients = new Set<Client>();
  private readonly latest = new Map<EventName, string>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    heartbeatMs = 15_000,
    private readonly maxBufferedBytes = 1024 * 1024,
  ) {
    this.heartbeat = setInterval(() => this.writeAll(': ping\n\n'), heartbeatMs);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Takes over the response: headers, the latest events, then everything published. */
  attach(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write('retry: 2000\n\n');
    for (const frame of this.latest.values()) response.write(frame);
    const client: Client = { response };
    this.clients.add(client);
    response.on('close', () => this.clients.delete(client));
  }

  publish<N extends EventName>(name: N, data: ServerEvents[N]): void {
    const frame = `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    // Jobs are many and individual; the others are states where only the latest matters.
    if (name !== 'job') this.latest.set(name, frame);
    this.writeAll(frame);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const { response } of this.clients) response.end();
    this.clients.clear();
  }

  private writeAll(frame: string): void {
    for (const client of this.clients) {
      if (client.response.writableLength > this.maxBufferedBytes) {
        client.response.destroy();
        this.clients.delete(client);
        continue;
      }
      client.response.write(frame);
    }
  }
}
