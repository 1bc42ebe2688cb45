import { describeError, isAbort } from '../api/api-error';
import type {
  CandidateDto,
  ObjectPrompts,
  PredictBody,
  PredictResponse,
  PromptBox,
  PromptPoint,
} from '../api/types';
import type { Predictor } from './hover-preview';
import { RequestSequence } from './request-sequence';

/** What the page shows of the prompt: immutable, replaced on every change. */
export interface PromptSnapshot {
  points: readonly PromptPoint[];
  box: PromptBox | null;
  /** Best first, as the server answered. */
  candidates: readonly CandidateDto[];
  /** Index of the candidate that accept would save. */
  active: number;
  /** A request is on its way. */
  pending: boolean;
  /** The object being refined, or null for a new object. */
  target: number | null;
  error: string | null;
}

export const EMPTY_PROMPT: PromptSnapshot = {
  points: [],
  box: null,
  candidates: [],
  active: 0,
  pending: false,
  target: null,
  error: null,
};

export interface PromptSessionOptions {
  maxPoints: () => number;
  onChange: (snapshot: PromptSnapshot) => void;
  /** Client round trip of each answered request, with the server's own figures. */
  onAnswer?: (clientMs: number, response: PredictResponse) => void;
  now?: () => number;
}

type Step = { kind: 'point' } | { kind: 'box'; previous: PromptBox | null };

/**
 * The prompt for one object: points (positive/negative), an optional box, the candidates of the
 * latest answer and which one is active. After the first answer, a new point is sent with the
 * active candidate's refineToken so the model refines that mask rather than starting over.
 * Answers to superseded requests are dropped by sequence number.
 */
export class PromptSession {
  private points: PromptPoint[] = [];
  private box: PromptBox | null = null;
  private candidates: readonly CandidateDto[] = [];
  private active = 0;
  private target: number | null = null;
  private error: string | null = null;
  private steps: Step[] = [];
  private readonly sequence = new RequestSequence();
  private pendingSeq: number | null = null;
  private readonly now: () => number;

  constructor(
    private readonly predict: Predictor,
    private readonly options: PromptSessionOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  get hasPrompt(): boolean {
    return this.points.length > 0 || this.box !== null || this.target !== null;
  }

  get activeCandidate(): CandidateDto | null {
    return this.candidates[this.active] ?? null;
  }

  get editingObjectId(): number | null {
    return this.target;
  }

  snapshot(): PromptSnapshot {
    return {
      points: [...this.points],
      box: this.box,
      candidates: this.candidates,
      active: this.active,
      pending: this.pendingSeq !== null,
      target: this.target,
      error: this.error,
    };
  }

  /** Adds a point and asks for masks; refines the active candidate when it can. */
  addPoint(x: number, y: number, label: 0 | 1): Promise<void> {
    const max = this.options.maxPoints();
    if (this.points.length >= max) {
      this.error = `At most ${max} points per prompt: accept or clear this one first`;
      this.emit();
      return Promise.resolve();
    }
    this.points.push({ x, y, label });
    this.steps.push({ kind: 'point' });
    return this.request(true);
  }

  /** Sets (or replaces) the box; corners in any order. */
  setBox(box: PromptBox): Promise<void> {
    const normal: PromptBox = {
      x0: Math.min(box.x0, box.x1),
      y0: Math.min(box.y0, box.y1),
      x1: Math.max(box.x0, box.x1),
      y1: Math.max(box.y0, box.y1),
    };
    this.steps.push({ kind: 'box', previous: this.box });
    this.box = normal;
    return this.request(false);
  }

  /**
   * Starts refining an existing object from the prompts that made it (or, for an object without
   * stored prompts, its box): later clicks are added to them, and undo takes back only those.
   */
  edit(objectId: number, start: ObjectPrompts): void {
    this.reset();
    this.target = objectId;
    this.points = start.points.map((p) => ({ x: p.x, y: p.y, label: p.label }));
    this.box = start.box ? { ...start.box } : null;
    this.emit();
  }

  /** Takes back the last point or box; false when there was nothing to take back. */
  undoLast(): boolean {
    const step = this.steps.pop();
    if (!step) return false;
    if (step.kind === 'point') this.points.pop();
    else this.box = step.previous;
    if (this.points.length === 0 && this.box === null) {
      this.sequence.invalidate();
      this.pendingSeq = null;
      this.candidates = [];
      this.active = 0;
      this.error = null;
      this.emit();
      return true;
    }
    // The previous answer's token holds the mask with the removed prompt: ask afresh.
    void this.request(false);
    return true;
  }

  cycle(delta: number): void {
    const n = this.candidates.length;
    if (n < 2) return;
    this.active = (((this.active + delta) % n) + n) % n;
    this.emit();
  }

  pick(index: number): boolean {
    if (index < 0 || index >= this.candidates.length) return false;
    this.active = index;
    this.emit();
    return true;
  }

  /** Forgets everything (Esc, accept, another image); answers still on their way are dropped. */
  clear(): void {
    this.reset();
    this.emit();
  }

  /** The body that would be sent now (for accept's `prompts` and for tests). */
  body(refine: boolean): PredictBody {
    const body: PredictBody = { points: this.points.map((p) => ({ ...p })) };
    if (this.box) body.box = { ...this.box };
    const token = refine ? this.activeCandidate?.refineToken : null;
    if (token) body.refineToken = token;
    return body;
  }

  private reset(): void {
    this.sequence.invalidate();
    this.pendingSeq = null;
    this.points = [];
    this.box = null;
    this.candidates = [];
    this.active = 0;
    this.target = null;
    this.error = null;
    this.steps = [];
  }

  private async request(refine: boolean): Promise<void> {
    const body = this.body(refine);
    const { seq, signal } = this.sequence.next();
    this.pendingSeq = seq;
    this.error = null;
    this.emit();
    const started = this.now();
    try {
      const response = await this.predict(body, signal);
      if (!this.sequence.isCurrent(seq)) return;
      this.options.onAnswer?.(this.now() - started, response);
      this.candidates = response.candidates;
      this.active = 0;
      if (response.candidates.length === 0) this.error = 'The model found no mask for this prompt';
    } catch (error) {
      if (isAbort(error) || !this.sequence.isCurrent(seq)) return;
      this.error = describeError(error);
    }
    this.sequence.settle(seq);
    this.pendingSeq = null;
    this.emit();
  }

  private emit(): void {
    this.options.onChange(this.snapshot());
  }
}
