import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type * as Ort from 'onnxruntime-node';
import {
  buffersOf,
  type FromWorker,
  type SessionWorkerData,
  type TensorValue,
  type ToWorker,
} from './protocol.js';

type Outputs = Record<string, TensorValue>;

interface PendingRun {
  resolve: (outputs: Outputs) => void;
  reject: (err: Error) => void;
  recycle?: (buffer: ArrayBuffer) => void;
}

/**
 * Starts session-worker in a thread: its compiled sibling, or under tsx (tests, benchmarks) the
 * TypeScript source through tsx's API, since Node 20 workers cannot take `--import tsx`.
 */
function startWorker(data: SessionWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./session-worker.js', import.meta.url), { workerData: data });
  }
  const entry = new URL('./session-worker.ts', import.meta.url).href;
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
  return new Worker(code, { eval: true, workerData: data });
}

function exitedError(file: string, code: number): Error {
  return new Error(`the ONNX Runtime worker thread of ${file} stopped (exit code ${code})`);
}

/**
 * An ONNX Runtime session that lives in its own worker thread. run() resolves when the worker
 * has run the graph; meanwhile the calling thread is free (an in-thread onnxruntime-node run
 * blocks it for the whole inference). Inputs are copied to the worker unless `transfer` hands
 * their buffers over; outputs come back transferred, without a copy. If the thread dies, every
 * run in flight fails and `closed` turns true, so the owner can open a new one.
 */
export class WorkerSession {
  private readonly pending = new Map<number, PendingRun>();
  private nextId = 1;
  private stopped: Error | null = null;

  private constructor(
    readonly file: string,
    private readonly worker: Worker,
    readonly inputMetadata: readonly Ort.InferenceSession.ValueMetadata[],
    readonly outputMetadata: readonly Ort.InferenceSession.ValueMetadata[],
  ) {
    worker.on('message', (message: FromWorker) => this.settle(message));
    worker.on('error', (err) => this.stop(err));
    worker.on('exit', (code) => this.stop(exitedError(file, code)));
    worker.unref();
  }

  /** Opens `file` in a new worker thread; rejects with ONNX Runtime's reason when it cannot. */
  static async create(
    file: string,
    options: Ort.InferenceSession.SessionOptions,
  ): Promise<WorkerSession> {
    const worker = startWorker({ file, options });
    const exited = once(worker, 'exit').then(([code]) => {
      throw exitedError(file, code as number);
    });
    let first: FromWorker;
    try {
      [first] = (await Promise.race([once(worker, 'message'), exited])) as [FromWorker];
    } catch (err) {
      await worker.terminate();
      throw err;
    }
    exited.catch(() => {});
    if (first.kind !== 'opened') {
      await worker.terminate();
      throw new Error(first.kind === 'open-failed' ? first.message : `unexpected ${first.kind}`);
    }
    return new WorkerSession(file, worker, first.inputMetadata, first.outputMetadata);
  }

  /** True once the thread has stopped or been released: no run can succeed any more. */
  get closed(): boolean {
    return this.stopped !== null;
  }

  /**
   * `recycle` gets the feeds' buffers (the worker's copies, or the originals when transferred)
   * back once the run is done, so that a caller making many inputs of one size can write the
   * next ones into them instead of into fresh memory.
   */
  run(
    feeds: Record<string, TensorValue>,
    fetches: readonly string[],
    transfer = false,
    recycle?: (buffer: ArrayBuffer) => void,
  ): Promise<Outputs> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    const plain: Record<string, TensorValue> = {};
    for (const [name, { type, data, dims }] of Object.entries(feeds)) {
      plain[name] = { type, data, dims: [...dims] };
    }
    const message: ToWorker = {
      kind: 'run',
      id,
      feeds: plain,
      fetches: [...fetches],
      returnFeeds: recycle !== undefined,
    };
    return new Promise<Outputs>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(recycle ? { recycle } : {}) });
      // A run in flight keeps the process alive; an idle session does not.
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage(message, transfer ? buffersOf(plain) : []);
    });
  }

  /** Frees the session in the worker, then ends the thread. */
  async release(): Promise<void> {
    if (this.stopped) return;
    const released = new Promise<void>((resolve) => {
      const onMessage = (message: FromWorker): void => {
        if (message.kind !== 'released') return;
        this.worker.off('message', onMessage);
        resolve();
      };
      this.worker.on('message', onMessage);
      this.worker.once('exit', () => resolve());
    });
    // Kept alive until the thread answers: an idle session's thread is unref'ed, and a command
    // that releases its model last would otherwise exit right here, before printing its result.
    this.worker.ref();
    this.worker.postMessage({ kind: 'release' } satisfies ToWorker);
    await released;
    this.stop(new Error(`the ONNX Runtime session of ${this.file} was released`));
    await this.worker.terminate();
  }

  private settle(message: FromWorker): void {
    if (message.kind !== 'ran' && message.kind !== 'run-failed') return;
    const run = this.pending.get(message.id);
    if (!run) return;
    this.pending.delete(message.id);
    if (this.pending.size === 0) this.worker.unref();
    if (message.kind === 'ran') {
      if (run.recycle) for (const buffer of message.feedBuffers) run.recycle(buffer);
      run.resolve(message.outputs);
    } else {
      const err = new Error(message.message);
      err.name = message.name;
      run.reject(err);
    }
  }

  private stop(reason: Error): void {
    this.stopped ??= reason;
    for (const run of this.pending.values()) run.reject(this.stopped);
    this.pending.clear();
  }
}
