import { abortReason, higherPriority, type EncoderJob, type WorkPriority } from './work-queue.js';

/**
 * One computation that several callers wait for, each with its own priority and AbortSignal: an
 * image being prefetched that the user then opens, a click arriving while its image encodes.
 *
 * - It runs at the highest priority any caller asked for (a prefetch that the user opens
 *   becomes on-screen work and passes the other prefetches).
 * - A caller whose signal aborts stops waiting at once. When the last one has gone, work still
 *   queued is dropped; work already running is finished and kept, since the user may come back
 *   and stopping an encode halfway saves little.
 */
export class SharedRequest<T> {
  private current: WorkPriority;
  private waiters = 0;
  private job: EncoderJob<unknown> | null = null;
  private outcome: Promise<T> | null = null;
  private readonly dropped = new AbortController();

  constructor(
    priority: WorkPriority,
    /** Place in line, taken when the first caller arrived (see EncodeOptions.order). */
    readonly order: number,
    /** Called once, when every caller has left before the work started. */
    private readonly onAbandoned: () => void,
  ) {
    this.current = priority;
  }

  get priority(): WorkPriority {
    return this.current;
  }

  /** Aborted when the request was abandoned before its work started: pass it to the queue. */
  get signal(): AbortSignal {
    return this.dropped.signal;
  }

  get abandoned(): boolean {
    return this.dropped.signal.aborted;
  }

  /** Starts the computation; called once, before the first join. */
  run(work: () => Promise<T>): void {
    const outcome = work();
    // Callers see failures through join(); an abandoned request has none left to see them.
    outcome.catch(() => undefined);
    this.outcome = outcome;
  }

  /** Tells the request which queued job does its work, so that raises reach it. */
  attach(job: EncoderJob<unknown>): void {
    this.job = job;
    job.raise(this.current);
  }

  /** Waits for the result at `priority`; rejects with the signal's reason when it aborts first. */
  join(priority: WorkPriority, signal?: AbortSignal): Promise<T> {
    const outcome = this.outcome;
    if (!outcome) throw new Error('SharedRequest.join() before run()');
    this.current = higherPriority(this.current, priority);
    this.job?.raise(this.current);
    this.waiters++;
    if (!signal) return outcome;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        reject(abortReason(signal));
        this.leave();
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      outcome.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }

  private leave(): void {
    this.waiters--;
    if (this.waiters > 0 || this.abandoned) return;
    if (this.job && this.job.state !== 'queued') return;
    this.dropped.abort(new DOMException('Nobody waits for this embedding any more', 'AbortError'));
    this.onAbandoned();
  }
}
