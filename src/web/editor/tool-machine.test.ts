import { describe, expect, it } from 'vitest';
import type { Vec } from './camera';
import { ToolMachine, type PointerInput, type ToolHost, type ToolMode } from './tool-machine';

/** Records what the machine asks for and plays a prompt that fills as points arrive. */
class RecordingHost implements ToolHost {
  log: string[] = [];
  toolMode: ToolMode = 'points';
  hover = false;
  points = 0;
  editing: number | null = null;
  prompting = true;
  mode = () => this.toolMode;
  hoverEnabled = () => this.hover;
  editingObjectId = () => this.editing;
  hasPrompt = () => this.points > 0;
  canPrompt = () => this.prompting;
  addPoint = (p: Vec, label: 0 | 1) => {
    this.points++;
    this.log.push(`point ${p.x},${p.y} ${label}`);
  };
  setBox = (b: { x0: number; y0: number; x1: number; y1: number }) =>
    this.log.push(`box ${b.x0},${b.y0} ${b.x1},${b.y1}`);
  selectAt = (p: Vec) => this.log.push(`select ${p.x},${p.y}`);
  panBy = (dx: number, dy: number) => this.log.push(`pan ${dx},${dy}`);
  hoverAt = (p: Vec) => this.log.push(`hover ${p.x},${p.y}`);
  hoverEnd = () => this.log.push('hover-end');
}

/** Screen and image coincide in these tests (scale 1, no offset). */
function at(x: number, y: number, extra: Partial<PointerInput> = {}): PointerInput {
  return {
    screen: { x, y },
    image: { x, y },
    button: 0,
    alt: false,
    shift: false,
    space: false,
    ...extra,
  };
}

describe('ToolMachine', () => {
  it('left click places a positive point and moves to placing', () => {
    const host = new RecordingHost();
    const m = new ToolMachine(host);
    expect(m.state.kind).toBe('idle');
    m.pointerDown(at(10, 10));
    expect(m.state.kind).toBe('pressed');
    m.pointerMove(at(11, 11)); // within the drag threshold: still a click
    m.pointerUp(at(11, 11));
    expect(host.log).toEqual(['point 10,10 1']);
    expect(m.state.kind).toBe('placing');
  });

  it('right click and Alt+click place negative points', () => {
    const host = new RecordingHost();
    const m = new ToolMachine(host);
    m.pointerDown(at(5, 6, { button: 2 }));
    m.pointerUp(at(5, 6, { button: 2 }));
    m.pointerDown(at(7, 8, { alt: true }));
    m.pointerUp(at(7, 8, { alt: true }));
    expect(host.log).toEqual(['point 5,6 0', 'point 7,8 0']);
  });

  it('box tool: drag draws a box from the press point, click still adds a point', () => {
    const host = new RecordingHost();
    host.toolMode = 'box';
    const m = new ToolMachine(host);
    m.pointerDown(at(10, 10));
    m.pointerMove(at(30, 12));
    expect(m.state).toEqual({
      kind: 'dragging-box',
      start: { x: 10, y: 10 },
      end: { x: 30, y: 12 },
    });
    m.pointerMove(at(40, 50));
    m.pointerUp(at(42, 52));
    expect(host.log).toEqual(['box 10,10 42,52']);
    m.pointerDown(at(20, 20));
    m.pointerUp(at(20, 20));
    expect(host.log.at(-1)).toBe('point 20,20 1');
  });

  it('points tool: left drag pans; Shift+drag draws a box; Shift+click selects', () => {
    const host = new RecordingHost();
    const m = new ToolMachine(host);
    m.pointerDown(at(0, 0));
    m.pointerMove(at(10, 0));
    expect(m.state.kind).toBe('panning');
    m.pointerMove(at(15, 5));
    m.pointerUp(at(15, 5));
    expect(host.log).toEqual(['pan 10,0', 'pan 5,5']);
    expect(m.state.kind).toBe('idle');

    m.pointerDown(at(1, 1, { shift: true }));
    m.pointerMove(at(20, 20, { shift: true }));
    m.pointerUp(at(20, 20, { shift: true }));
    m.pointerDown(at(3, 4, { shift: true }));
    m.pointerUp(at(3, 4, { shift: true }));
    expect(host.log.slice(2)).toEqual(['box 1,1 20,20', 'select 3,4']);
  });

  it('middle button and Space+drag pan in every tool and never add points', () => {
    const host = new RecordingHost();
    host.toolMode = 'box';
    const m = new ToolMachine(host);
    m.pointerDown(at(0, 0, { button: 1 }));
    m.pointerMove(at(0, 9, { button: 1 }));
    m.pointerUp(at(0, 9, { button: 1 }));
    m.pointerDown(at(0, 0, { space: true }));
    m.pointerUp(at(0, 0, { space: true }));
    expect(host.log).toEqual(['pan 0,9']);
  });

  it('hover preview follows the cursor only while there is no prompt', () => {
    const host = new RecordingHost();
    host.hover = true;
    const m = new ToolMachine(host);
    m.pointerMove(at(3, 3));
    expect(m.state).toEqual({ kind: 'hover', at: { x: 3, y: 3 } });
    m.pointerDown(at(3, 3));
    m.pointerUp(at(3, 3));
    expect(m.state.kind).toBe('placing');
    m.pointerMove(at(9, 9));
    expect(host.log).toEqual(['hover 3,3', 'hover-end', 'point 3,3 1']);
    m.pointerLeave();
    expect(m.state.kind).toBe('placing');
  });

  it('leaving the canvas ends the hover preview', () => {
    const host = new RecordingHost();
    host.hover = true;
    const m = new ToolMachine(host);
    m.pointerMove(at(3, 3));
    m.pointerLeave();
    expect(m.state.kind).toBe('idle');
    expect(host.log).toEqual(['hover 3,3', 'hover-end']);
  });

  it('rests in editing while an object is refined, and clicks add to its prompt', () => {
    const host = new RecordingHost();
    host.editing = 12;
    const m = new ToolMachine(host);
    m.sync();
    expect(m.state).toEqual({ kind: 'editing', objectId: 12 });
    m.pointerDown(at(4, 4));
    m.pointerUp(at(4, 4));
    expect(host.log).toEqual(['point 4,4 1']);
    expect(m.state).toEqual({ kind: 'editing', objectId: 12 });
    host.editing = null;
    host.points = 0;
    m.sync();
    expect(m.state.kind).toBe('idle');
  });

  it('Esc during a box drag drops it without a box', () => {
    const host = new RecordingHost();
    host.toolMode = 'box';
    const m = new ToolMachine(host);
    m.pointerDown(at(0, 0));
    m.pointerMove(at(50, 50));
    expect(m.cancelGesture()).toBe(true);
    m.pointerUp(at(60, 60));
    expect(host.log).toEqual([]);
    expect(m.cancelGesture()).toBe(false);
  });

  it('adds nothing while prompting is off (review mode, no image)', () => {
    const host = new RecordingHost();
    host.prompting = false;
    host.toolMode = 'box';
    const m = new ToolMachine(host);
    m.pointerDown(at(0, 0));
    m.pointerUp(at(0, 0));
    m.pointerDown(at(0, 0));
    m.pointerMove(at(40, 40));
    m.pointerUp(at(40, 40));
    expect(host.log).toEqual([]);
  });
});
