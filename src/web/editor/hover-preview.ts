import { isAbort } from '../api/api-error';
import type { CandidateDto, PredictBody, PredictResponse } from '../api/types';
import { systemClock, type Clock } from './clock';
import { RequestSequence } from './request-sequence';
import type { Vec } from './camera';

export type Predictor = (body: PredictBody, signal: AbortSignal) => Promise<PredictResponse>;

/**
 * The mask under the cursor before any click. Moves are throttled (at most one request per
 * `intervalMs`, the last position always sent) and at most one request is in flight; an answer
 * that comes back after `stop()` or after a newer request started is dropped.
 */
export class HoverPreview {
  private readonly sequence = new RequestSequence();
  private pending: Vec | null = null;
  private inFlight = false;
  private timer: unknown = null;
  private lastSent = -Infinity;
  private active = false;

  constructor(
    private readonly predict: Predictor,
    private readonly onResult: (candidate: CandidateDto | null) => void,
    private readonly intervalMs = 80,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The cursor is at `p` (image pixels). */
  move(p: Vec): void {
    this.active = true;
    this.pending = { x: p.x, y: p.y };
    this.pump();
  }

  /** No more preview: drop what is queued or in flight and clear the shown preview. */
  stop(): void {
    const wasShowing = this.active || this.inFlight;
    this.active = false;
    this.pending = null;
    this.inFlight = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.sequence.invalidate();
    if (wasShowing) this.onResult(null);
  }

  private pump(): void {
    if (!this.pending || this.inFlight || this.timer !== null) return;
    const wait = this.lastSent + this.intervalMs - this.clock.now();
    if (wait > 0) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        this.pump();
      }, wait);
      return;
    }
    const p = this.pending;
    this.pending = null;
    this.send(p);
  }

  private send(p: Vec): void {
    const { seq, signal } = this.sequence.next();
    this.inFlight = true;
    this.lastSent = this.clock.now();
    this.predict({ points: [{ x: p.x, y: p.y, label: 1 }] }, signal).then(
      (response) => this.finish(seq, response.candidates[0] ?? null),
      (error: unknown) => {
        // A failed preview is not worth a toast: the click that follows reports errors.
        if (!isAbort(error)) this.finish(seq, undefined);
      },
    );
  }

  private finish(seq: number, candidate: CandidateDto | null | undefined): void {
    if (!this.sequence.isCurrent(seq)) return;
    this.sequence.settle(seq);
    this.inFlight = false;
    if (candidate !== undefined && this.active) this.onResult(candidate);
    this.pump();
  }
}
