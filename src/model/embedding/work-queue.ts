import { performance } from 'node:perf_hooks';
import type { BackgroundGate } from '../../memory/index.js';
import { MemoryPressureError } from '../../memory/index.js';
import { EngineClosedError } from './errors.js';
import { LatencyWindow, type LatencySummary } from './latency.js';

/** Highest first: a click waits for nothing but its own image's encode. */
export const WORK_PRIORITIES = ['interactive', 'onScreen', 'prefetch', 'batch'] as const;
export type WorkPriority = (typeof WORK_PRIORITIES)[number];

const RANK: Record<WorkPriority, number> = { interactive: 0, onScreen: 1, prefetch: 2, batch: 3 };

/** Work nobody is looking at: it asks the memory gate before it starts. */
export function isBackground(priority: WorkPriority): boolean {
  return priority === 'prefetch' || priority === 'batch';
}

export function higherPriority(a: WorkPriority, b: WorkPriority): WorkPriority {
  return RANK[a] <= RANK[b] ? a : b;
}

export interface EncodeOptions {
  priority: WorkPriority;
  /** Aborting removes queued work (its result rejects with the signal's reason) and is passed on to running work. */
  signal?: AbortSignal;
  /**
   * Place among work of equal priority, lower first; from nextOrder(). Callers that do some
   * asynchronous work before they submit (a disk lookup) take it when the request arrives, so
   * requests keep their order whatever their lookups cost. Defaults to the time of submission.
   */
  order?: number;
  /**
   * What the encode needs first that can be done outside the encoder slot (decoding and resizing
   * its picture): the queue starts it ahead of the encode, see WorkQueueOptions.readAhead.
   */
  preparation?: Preparation;
}

/**
 * Work an encode needs first that does not need the encoder: decoding and resizing its picture.
 * Started ahead of the encode, it runs while the encode before it holds the slot, so that the
 * slot is not left waiting for a decode the machine had time for.
 */
export interface Preparation {
  /**
   * Starts the work and resolves when it is done; never rejects (a failure is the encode's to
   * report when it takes the result). null when it cannot start yet: the queue asks again on
   * its next change or when the submitter calls prepareAhead().
   */
  start(): Promise<void> | null;
  /** The job settled (ran, was cancelled, refused, or the queue closed): let go of the result. */
  drop(): void;
}

export type JobState = 'queued' | 'running' | 'settled';

/** One piece of encoder work, as the submitter sees it. */
export interface EncoderJob<T> {
  readonly result: Promise<T>;
  readonly priority: WorkPriority;
  readonly state: JobState;
  /** Moves queued work up to `priority` (never down); no effect once it runs. */
  raise(priority: WorkPriority): void;
}

type PerPriority = Record<WorkPriority, number>;

export interface WorkQueueStats {
  queued: PerPriority;
  /** Priority of the encode holding the slot, or null. */
  encoding: WorkPriority | null;
  decodesRunning: number;
  /** Background work held back until memory pressure eases. */
  waitingForMemory: boolean;
  started: PerPriority;
  completed: PerPriority;
  failed: PerPriority;
  cancelled: PerPriority;
  /** Background work turned away at the critical memory level. */
  refused: PerPriority;
  /** Preparations started ahead of their encode, outside the slot. */
  preparedAhead: PerPriority;
  /** Of those, the encodes that found their picture ready when they took the slot. */
  preparedInTime: PerPriority;
  /** Of those, the ones whose job never ran (cancelled, refused, closed): decodes let go unused. */
  droppedAhead: PerPriority;
  /** Background preparations running now. */
  preparing: number;
  decodes: { completed: number; failed: number };
  /** Time from submission to start, and run time, of encodes; run time of decodes. */
  encodeWait: LatencySummary;
  encode: LatencySummary;
  decode: LatencySummary;
}

export interface WorkQueueOptions {
  /** The memory manager's gate; without one, background work always runs. */
  gate?: BackgroundGate | null;
  /**
   * How many queued background jobs (prefetch, batch) may hold a prepared input: the next ones in
   * line, while memory is normal. Default 2; 0 prepares none ahead.
   */
  readAhead?: number;
}

export const DEFAULT_READ_AHEAD = 2;

/**
 * The scheduler of model work. Encodes (the expensive, whole-image step) take ONE slot, given to
 * the highest-priority queued job, first come first served within a priority. Decodes (a click's
 * answer from a ready embedding) run at once, outside the slot: a click on an encoded image never
 * waits in line behind an encode, even a long background one. (SAM encoders run in a worker
 * thread of their own, since ONNX Runtime for Node holds the thread a session runs on:
 * microsoft/onnxruntime#19611.)
 *
 * Background encodes (prefetch, batch) ask the memory gate before they start: while memory is at
 * the warning level they stay queued (foreground work passes them), at critical they are refused
 * with MemoryPressureError, both when submitted and when already queued. Foreground work never
 * asks the gate: the user is waiting for it.
 *
 * Preparations (decoding the picture) run outside the slot, ahead of their encode: at once for
 * queued foreground jobs; for background jobs, for the next `readAhead` in line only and only
 * while the gate is open, so that read-ahead holds a bounded number of decoded pictures and
 * stops when memory is short. A job that settles without running drops its prepared input; one
 * that reaches the slot unprepared prepares inside it, as before. The encoder runs in its own
 * thread (SamSegmenter), so decodes ahead go on in this one while it encodes.
 */
export class WorkQueue {
  private readonly gate: BackgroundGate | null;
  private readonly readAhead: number;
  /** Background jobs whose preparation is in flight. */
  private readonly preparing = new Set<Job>();
  private readonly queues: Record<WorkPriority, Job[]> = {
    interactive: [],
    onScreen: [],
    prefetch: [],
    batch: [],
  };
  private running: Job | null = null;
  private decodesRunning = 0;
  private orders = 0;
  private closed = false;
  /** Set while queued background work waits for the gate to open. */
  private gateWait: Promise<void> | null = null;
  private readonly stopWaiting = new AbortController();
  private idleWaiters: Array<() => void> = [];
  private readonly counts = {
    started: perPriority(),
    completed: perPriority(),
    failed: perPriority(),
    cancelled: perPriority(),
    refused: perPriority(),
    preparedAhead: perPriority(),
    preparedInTime: perPriority(),
    droppedAhead: perPriority(),
    decodes: { completed: 0, failed: 0 },
  };
  private readonly latency = {
    encodeWait: new LatencyWindow(),
    encode: new LatencyWindow(),
    decode: new LatencyWindow(),
  };

  constructor(options: WorkQueueOptions = {}) {
    this.gate = options.gate ?? null;
    this.readAhead = options.readAhead ?? DEFAULT_READ_AHEAD;
  }

  /** A place in line for a request that will submit later (see EncodeOptions.order). */
  nextOrder(): number {
    return this.orders++;
  }

  /**
   * Throws what submitting work of `priority` now would reject with: EngineClosedError after
   * close(), MemoryPressureError for background work at the critical level.
   */
  admit(priority: WorkPriority): void {
    if (this.closed) throw new EngineClosedError('The model work queue is closed');
    if (isBackground(priority) && this.gate?.state === 'refusing') this.gate.assertOpen();
  }

  encode<T>(task: (signal: AbortSignal) => Promise<T>, options: EncodeOptions): EncoderJob<T> {
    const job = new Job(
      task,
      options.priority,
      options.order ?? this.nextOrder(),
      (j) => this.raise(j),
      options.preparation ?? null,
    );
    const typed = job as EncoderJob<unknown> as EncoderJob<T>;
    try {
      this.admit(options.priority);
      if (options.signal?.aborted) throw abortReason(options.signal);
    } catch (err) {
      if (err instanceof MemoryPressureError) this.counts.refused[options.priority]++;
      else if (!(err instanceof EngineClosedError)) this.counts.cancelled[options.priority]++;
      job.settle('rejected', err);
      return typed;
    }
    const { signal } = options;
    if (signal) {
      const onAbort = (): void => this.cancel(job, signal);
      signal.addEventListener('abort', onAbort, { once: true });
      job.detach = () => signal.removeEventListener('abort', onAbort);
    }
    job.submittedAt = performance.now();
    insertByOrder(this.queues[job.priority], job);
    this.pump();
    return typed;
  }

  /** Runs decoder work now, outside the encoder slot, timing it. */
  async decode<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) throw new EngineClosedError('The model work queue is closed');
    const started = performance.now();
    this.decodesRunning++;
    try {
      const result = await task();
      this.counts.decodes.completed++;
      this.latency.decode.record(performance.now() - started);
      return result;
    } catch (err) {
      this.counts.decodes.failed++;
      throw err;
    } finally {
      this.decodesRunning--;
    }
  }

  /** Resolves when no encode runs or waits (background work held by the gate counts as waiting). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Refuses new work, rejects queued work with EngineClosedError, aborts the running encode's
   * signal and waits for it to settle.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWaiting.abort(new EngineClosedError('The model work queue is closed'));
    for (const priority of WORK_PRIORITIES) {
      for (const job of this.queues[priority].splice(0)) {
        this.discard(
          job,
          new EngineClosedError('The model work queue closed before this work started'),
        );
      }
    }
    const running = this.running;
    if (running) {
      running.controller.abort(new EngineClosedError('The model work queue is closing'));
      await running.result.catch(() => undefined);
    }
    this.notifyIdle();
  }

  stats(): WorkQueueStats {
    const queued = perPriority();
    for (const priority of WORK_PRIORITIES) queued[priority] = this.queues[priority].length;
    const c = this.counts;
    return {
      queued,
      encoding: this.running?.priority ?? null,
      decodesRunning: this.decodesRunning,
      waitingForMemory: this.gateWait !== null,
      started: { ...c.started },
      completed: { ...c.completed },
      failed: { ...c.failed },
      cancelled: { ...c.cancelled },
      refused: { ...c.refused },
      preparedAhead: { ...c.preparedAhead },
      preparedInTime: { ...c.preparedInTime },
      droppedAhead: { ...c.droppedAhead },
      preparing: this.preparing.size,
      decodes: { ...c.decodes },
      encodeWait: this.latency.encodeWait.summary(),
      encode: this.latency.encode.summary(),
      decode: this.latency.decode.summary(),
    };
  }

  /**
   * Starts the preparations that may start now (see the class comment). The queue calls it on
   * every change; a submitter calls it when a preparation that returned null may start now.
   */
  prepareAhead(): void {
    if (this.closed) return;
    for (const priority of WORK_PRIORITIES) {
      if (isBackground(priority)) continue;
      for (const job of this.queues[priority]) this.startPreparation(job);
    }
    const next = this.backgroundInLine();
    if (this.gate && !this.gate.isOpen) {
      // Resume read-ahead when pressure eases, even while a foreground encode holds the slot.
      if (next.window.some((job) => !job.prepared && job.preparation)) this.waitForGate();
      return;
    }
    let held = next.held;
    for (const job of next.window) {
      if (held >= this.readAhead) return;
      if (!job.prepared && job.preparation) {
        this.startPreparation(job);
        if (job.prepared) held++;
      }
    }
  }

  /**
   * The first readAhead queued background jobs in line, and how many queued background jobs
   * hold a preparation (started or done) wherever they are in line: one that others passed keeps
   * its picture (it is needed soon all the same) and its place in the count.
   */
  private backgroundInLine(): { window: Job[]; held: number } {
    const window: Job[] = [];
    let held = 0;
    for (const priority of WORK_PRIORITIES) {
      if (!isBackground(priority)) continue;
      for (const job of this.queues[priority]) {
        if (job.prepared) held++;
        if (window.length < this.readAhead) window.push(job);
      }
    }
    return { window, held };
  }

  private startPreparation(job: Job): void {
    if (job.prepared || !job.preparation) return;
    const done = job.preparation.start();
    if (!done) return;
    job.prepared = true;
    this.counts.preparedAhead[job.priority]++;
    const background = isBackground(job.priority);
    if (background) this.preparing.add(job);
    const next = (): void => {
      job.preparedInTime = job.state === 'queued';
      if (background && this.preparing.delete(job)) this.prepareAhead();
    };
    done.then(next, next);
  }

  /** Starts the next encode if the slot is free and the next job may run, then read-ahead. */
  private pump(): void {
    this.fillSlot();
    this.prepareAhead();
  }

  private fillSlot(): void {
    if (this.running || this.closed) return;
    const job = this.head();
    if (!job) {
      this.notifyIdle();
      return;
    }
    if (isBackground(job.priority) && this.gate && !this.gate.isOpen) {
      if (this.gate.state === 'refusing') {
        this.refuseBackground(refusalOf(this.gate));
        this.fillSlot();
      } else {
        this.waitForGate();
      }
      return;
    }
    this.start(job);
  }

  private start(job: Job): void {
    this.remove(job);
    this.running = job;
    job.state = 'running';
    const startedAt = performance.now();
    this.latency.encodeWait.record(startedAt - job.submittedAt);
    this.counts.started[job.priority]++;
    if (job.preparedInTime) this.counts.preparedInTime[job.priority]++;
    // Now that the job has left the line, the next picture may start decoding ahead.
    this.prepareAhead();
    const run = (): Promise<unknown> => {
      try {
        return job.task(job.controller.signal);
      } catch (err) {
        return Promise.reject(err);
      }
    };
    run().then(
      (value) => {
        this.counts.completed[job.priority]++;
        this.latency.encode.record(performance.now() - startedAt);
        this.finish(job, 'resolved', value);
      },
      (err: unknown) => {
        this.counts.failed[job.priority]++;
        this.finish(job, 'rejected', err);
      },
    );
  }

  private finish(job: Job, how: 'resolved' | 'rejected', value: unknown): void {
    this.running = null;
    job.settle(how, value);
    this.pump();
  }

  private waitForGate(): void {
    if (this.gateWait || !this.gate) return;
    this.gateWait = this.gate.whenOpen(this.stopWaiting.signal).then(
      () => {
        this.gateWait = null;
        this.pump();
      },
      (err: unknown) => {
        this.gateWait = null;
        if (err instanceof MemoryPressureError) this.refuseBackground(err);
        this.pump();
      },
    );
  }

  /** Rejects every queued background job: pressure is critical. */
  private refuseBackground(error: MemoryPressureError): void {
    for (const priority of WORK_PRIORITIES) {
      if (!isBackground(priority)) continue;
      for (const job of this.queues[priority].splice(0)) {
        this.counts.refused[priority]++;
        this.discard(job, error);
      }
    }
  }

  private cancel(job: Job, signal: AbortSignal): void {
    if (job.state === 'queued') {
      this.remove(job);
      this.counts.cancelled[job.priority]++;
      this.discard(job, abortReason(signal));
      // After the other listeners of this abort: a whole batch stopping at once must not start
      // decodes for the jobs behind this one, about to go too.
      queueMicrotask(() => this.pump());
    } else if (job.state === 'running') {
      job.controller.abort(abortReason(signal));
    }
  }

  /** Settles queued work that will not run; what was prepared for it is let go, and counted. */
  private discard(job: Job, error: unknown): void {
    if (job.prepared) this.counts.droppedAhead[job.priority]++;
    job.settle('rejected', error);
  }

  private raise(job: Job): void {
    if (job.state !== 'queued') return;
    const from = this.queues[job.priority];
    const at = from.indexOf(job);
    if (at >= 0) from.splice(at, 1);
    insertByOrder(this.queues[job.wantedPriority], job);
    job.priority = job.wantedPriority;
    this.pump();
  }

  private head(): Job | undefined {
    for (const priority of WORK_PRIORITIES) {
      const first = this.queues[priority][0];
      if (first) return first;
    }
    return undefined;
  }

  private remove(job: Job): void {
    const queue = this.queues[job.priority];
    const at = queue.indexOf(job);
    if (at >= 0) queue.splice(at, 1);
  }

  private isIdle(): boolean {
    return this.running === null && WORK_PRIORITIES.every((p) => this.queues[p].length === 0);
  }

  private notifyIdle(): void {
    if (!this.isIdle() && !this.closed) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Queued work; typed as unknown inside the queue, as EncoderJob<T> outside. */
class Job implements EncoderJob<unknown> {
  readonly result: Promise<unknown>;
  state: JobState = 'queued';
  /** What raise() asked for; applied by the queue. */
  wantedPriority: WorkPriority;
  submittedAt = 0;
  /** Removes the listener on the submitter's signal. */
  detach: () => void = () => {};
  /** Its preparation was started ahead of the encode. */
  prepared = false;
  /** ... and finished before the job took the slot. */
  preparedInTime = false;
  /** Aborted when the submitter's signal aborts during the run, or when the queue closes. */
  readonly controller = new AbortController();
  private resolveResult!: (value: unknown) => void;
  private rejectResult!: (reason: unknown) => void;

  constructor(
    readonly task: (signal: AbortSignal) => Promise<unknown>,
    public priority: WorkPriority,
    readonly order: number,
    private readonly onRaise: (job: Job) => void,
    public preparation: Preparation | null,
  ) {
    this.wantedPriority = priority;
    this.result = new Promise<unknown>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
  }

  raise(priority: WorkPriority): void {
    if (this.state !== 'queued' || RANK[priority] >= RANK[this.priority]) return;
    this.wantedPriority = priority;
    this.onRaise(this);
  }

  settle(how: 'resolved' | 'rejected', value: unknown): void {
    if (this.state === 'settled') return;
    this.state = 'settled';
    this.detach();
    this.preparation?.drop();
    this.preparation = null;
    if (how === 'resolved') this.resolveResult(value);
    else this.rejectResult(value);
  }
}

function insertByOrder(queue: Job[], job: Job): void {
  // Mostly an append: orders are handed out increasing.
  let at = queue.length;
  while (at > 0 && queue[at - 1]!.order > job.order) at--;
  queue.splice(at, 0, job);
}

function perPriority(): PerPriority {
  return { interactive: 0, onScreen: 0, prefetch: 0, batch: 0 };
}

/** The gate's own refusal (it carries the level and usage); called only when the gate is shut. */
function refusalOf(gate: BackgroundGate): MemoryPressureError {
  try {
    gate.assertOpen();
  } catch (err) {
    if (err instanceof MemoryPressureError) return err;
    throw err;
  }
  throw new Error('refusalOf() called while the memory gate is open');
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
