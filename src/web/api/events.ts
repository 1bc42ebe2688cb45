import type { ServerEventName, ServerEvents } from './types';

export const SERVER_EVENT_NAMES: readonly ServerEventName[] = [
  'memory',
  'cache',
  'prefetch',
  'job',
  'model',
];

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface EventHandlers {
  onEvent<K extends ServerEventName>(name: K, data: ServerEvents[K]): void;
  onConnection(state: ConnectionState): void;
}

interface EventSourceLike {
  readyState: number;
  onopen: ((this: EventSource, ev: Event) => unknown) | null;
  onerror: ((this: EventSource, ev: Event) => unknown) | null;
  addEventListener(type: string, listener: (ev: MessageEvent<string>) => void): void;
  close(): void;
}

/**
 * GET /api/events as typed callbacks. EventSource reconnects by itself after a dropped
 * connection (the auth cookie goes along); this only reports the state and parses each `data:`.
 * A body that is not JSON is skipped rather than breaking the stream.
 */
export class ServerEventStream {
  private source: EventSourceLike | null = null;

  constructor(
    private readonly url: string,
    private readonly handlers: EventHandlers,
    private readonly create: (url: string) => EventSourceLike = (u) =>
      new EventSource(u, { withCredentials: true }),
  ) {}

  start(): void {
    if (this.source) return;
    this.handlers.onConnection('connecting');
    const source = this.create(this.url);
    this.source = source;
    source.onopen = () => this.handlers.onConnection('open');
    source.onerror = () => {
      // readyState 2 (CLOSED): the browser gave up (e.g. 401); 0: it is retrying.
      this.handlers.onConnection(source.readyState === 2 ? 'closed' : 'connecting');
    };
    for (const name of SERVER_EVENT_NAMES) {
      source.addEventListener(name, (event) => {
        let data: unknown;
        try {
          data = JSON.parse(event.data);
        } catch {
          return;
        }
        this.handlers.onEvent(name, data as ServerEvents[typeof name]);
      });
    }
  }

  stop(): void {
    this.source?.close();
    this.source = null;
    this.handlers.onConnection('closed');
  }
}
