import type { ChangeResponse, HistoryState } from '../api/types';
import type { SerialQueue } from './serial-queue';

export interface HistoryApi {
  undo(imageId: number): Promise<ChangeResponse>;
  redo(imageId: number): Promise<ChangeResponse>;
}

/**
 * Undo and redo live on the server (one undo entry per change, per image); this keeps the
 * counts the server last reported and sends undo/redo through the change queue. Requests made
 * faster than the answers come back are counted against the expected state, so a burst of z
 * presses never asks for more undos than exist.
 */
export class HistoryClient {
  private known: HistoryState = { undoCount: 0, redoCount: 0 };
  private queuedUndo = 0;
  private queuedRedo = 0;

  constructor(
    private readonly api: HistoryApi,
    private readonly queue: SerialQueue,
    private readonly apply: (change: ChangeResponse) => void,
  ) {}

  get state(): HistoryState {
    return this.known;
  }

  /** Undo steps left once the queued requests are done. */
  get canUndo(): boolean {
    return this.known.undoCount - this.queuedUndo + this.queuedRedo > 0;
  }
  get canRedo(): boolean {
    return this.known.redoCount - this.queuedRedo + this.queuedUndo > 0;
  }

  /** The server's counts after any change (or a newly opened image). */
  reset(state: HistoryState): void {
    this.known = { ...state };
  }

  undo(imageId: number): Promise<ChangeResponse | null> {
    return this.step('undo', imageId);
  }

  redo(imageId: number): Promise<ChangeResponse | null> {
    return this.step('redo', imageId);
  }

  private step(kind: 'undo' | 'redo', imageId: number): Promise<ChangeResponse | null> {
    if (!(kind === 'undo' ? this.canUndo : this.canRedo)) return Promise.resolve(null);
    const count = (delta: number) => {
      if (kind === 'undo') this.queuedUndo += delta;
      else this.queuedRedo += delta;
    };
    count(1);
    return this.queue
      .run(() => this.api[kind](imageId))
      .then(
        (change) => {
          count(-1);
          return this.applied(change);
        },
        (error: unknown) => {
          count(-1);
          throw error;
        },
      );
  }

  private applied(change: ChangeResponse): ChangeResponse {
    this.known = { ...change.history };
    this.apply(change);
    return change;
  }
}
