import type { PromptBox } from '../api/types';
import type { Vec } from './camera';

/** Which gesture a plain left drag makes: pan the view (points tool) or draw a box (box tool). */
export type ToolMode = 'points' | 'box';

export interface PointerInput {
  /** Canvas CSS pixels. */
  screen: Vec;
  /** Original image pixels (continuous). */
  image: Vec;
  /** 0 left, 1 middle, 2 right. */
  button: number;
  alt: boolean;
  shift: boolean;
  /** Space is held: every drag pans. */
  space: boolean;
}

/** What a press turns into, decided on pointer down and resolved as click or drag. */
type PressIntent =
  | { click: 'point'; label: 0 | 1; drag: 'pan' | 'box' | 'none' }
  | { click: 'select'; drag: 'box' }
  | { click: 'none'; drag: 'pan' };

/** The states at rest, between gestures. */
export type RestState =
  | { kind: 'idle' }
  | { kind: 'hover'; at: Vec }
  | { kind: 'placing' }
  | { kind: 'editing'; objectId: number };

export type ToolState =
  | RestState
  | { kind: 'pressed'; down: PointerInput; intent: PressIntent }
  | { kind: 'dragging-box'; start: Vec; end: Vec }
  | { kind: 'panning'; last: Vec };

/** What the machine asks of the editor. */
export interface ToolHost {
  mode(): ToolMode;
  hoverEnabled(): boolean;
  /** The object being refined, if any. */
  editingObjectId(): number | null;
  /** The prompt has points or a box. */
  hasPrompt(): boolean;
  /** Prompting is allowed (an image is open, not in review mode). */
  canPrompt(): boolean;
  addPoint(p: Vec, label: 0 | 1): void;
  setBox(box: PromptBox): void;
  selectAt(p: Vec): void;
  panBy(dx: number, dy: number): void;
  hoverAt(p: Vec): void;
  hoverEnd(): void;
}

/** A press that moves less than this (screen px) is a click. */
export const DRAG_THRESHOLD = 4;

/**
 * Pointer gestures on the canvas as an explicit state machine:
 * idle / hover preview -> pressed -> click (point or select) | dragging-box | panning -> rest,
 * where rest is placing points once a prompt exists and editing while an object is refined.
 * Left click adds a positive point, right or Alt+click a negative one, Shift+click selects the
 * object under the cursor; a left drag pans (points tool) or draws a box (box tool, or Shift);
 * middle drag or Space+drag always pans.
 */
export class ToolMachine {
  private current: ToolState = { kind: 'idle' };

  constructor(private readonly host: ToolHost) {}

  get state(): ToolState {
    return this.current;
  }

  /** The rest state that fits the editor now (after a gesture, a prompt change, Esc...). */
  rest(): RestState {
    const editing = this.host.editingObjectId();
    if (editing !== null) return { kind: 'editing', objectId: editing };
    if (this.host.hasPrompt()) return { kind: 'placing' };
    return { kind: 'idle' };
  }

  /** Re-derives the rest state when the prompt changed outside a gesture. */
  sync(): void {
    if (isRest(this.current)) {
      const next = this.rest();
      if (this.current.kind === 'hover' && next.kind === 'idle') return;
      if (this.current.kind === 'hover') this.host.hoverEnd();
      this.current = next;
    }
  }

  pointerDown(input: PointerInput): void {
    if (this.current.kind === 'hover') this.host.hoverEnd();
    this.current = { kind: 'pressed', down: input, intent: this.intentOf(input) };
  }

  pointerMove(input: PointerInput): void {
    const s = this.current;
    switch (s.kind) {
      case 'pressed': {
        const dx = input.screen.x - s.down.screen.x;
        const dy = input.screen.y - s.down.screen.y;
        if (Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
        if (s.intent.drag === 'box' && this.host.canPrompt()) {
          this.current = { kind: 'dragging-box', start: s.down.image, end: input.image };
        } else if (s.intent.drag === 'pan') {
          this.host.panBy(dx, dy);
          this.current = { kind: 'panning', last: input.screen };
        }
        return;
      }
      case 'dragging-box':
        this.current = { ...s, end: input.image };
        return;
      case 'panning':
        this.host.panBy(input.screen.x - s.last.x, input.screen.y - s.last.y);
        this.current = { kind: 'panning', last: input.screen };
        return;
      case 'idle':
      case 'hover':
        if (this.host.hoverEnabled() && this.host.canPrompt() && !this.host.hasPrompt()) {
          this.current = { kind: 'hover', at: input.image };
          this.host.hoverAt(input.image);
        } else if (s.kind === 'hover') {
          this.host.hoverEnd();
          this.current = { kind: 'idle' };
        }
        return;
      default:
        return;
    }
  }

  pointerUp(input: PointerInput): void {
    const s = this.current;
    if (s.kind === 'pressed') {
      const intent = s.intent;
      if (intent.click === 'point' && this.host.canPrompt()) {
        this.host.addPoint(s.down.image, intent.label);
      } else if (intent.click === 'select') {
        this.host.selectAt(s.down.image);
      }
    } else if (s.kind === 'dragging-box') {
      const end = input.image;
      this.host.setBox({ x0: s.start.x, y0: s.start.y, x1: end.x, y1: end.y });
    }
    this.current = this.rest();
  }

  /** The pointer left the canvas (or the gesture was cancelled by the browser). */
  pointerLeave(): void {
    if (this.current.kind === 'hover') this.host.hoverEnd();
    if (
      this.current.kind === 'hover' ||
      this.current.kind === 'panning' ||
      this.current.kind === 'pressed'
    ) {
      this.current = this.rest();
    }
  }

  /** Esc during a drag drops the gesture; at rest it is the prompt's business. */
  cancelGesture(): boolean {
    const s = this.current;
    if (s.kind === 'dragging-box' || s.kind === 'pressed' || s.kind === 'panning') {
      this.current = this.rest();
      return true;
    }
    return false;
  }

  private intentOf(input: PointerInput): PressIntent {
    if (input.button === 1 || input.space) return { click: 'none', drag: 'pan' };
    if (input.button === 2) return { click: 'point', label: 0, drag: 'none' };
    if (input.alt) return { click: 'point', label: 0, drag: 'none' };
    if (input.shift) return { click: 'select', drag: 'box' };
    return {
      click: 'point',
      label: 1,
      drag: this.host.mode() === 'box' ? 'box' : 'pan',
    };
  }
}

function isRest(s: ToolState): s is RestState {
  return s.kind === 'idle' || s.kind === 'hover' || s.kind === 'placing' || s.kind === 'editing';
}
