import { describe, expect, it } from 'vitest';
import type { CandidateDto, PredictBody, PredictResponse } from '../api/types';
import { PromptSession, type PromptSnapshot } from './prompt-session';

function controlled() {
  const requests: {
    body: PredictBody;
    resolve: (r: PredictResponse) => void;
    reject: (e: unknown) => void;
  }[] = [];
  const predict = (body: PredictBody) =>
    new Promise<PredictResponse>((resolve, reject) => requests.push({ body, resolve, reject }));
  return { requests, predict };
}

function response(...tokens: (string | null)[]): PredictResponse {
  return {
    candidates: tokens.map(
      (t, i) => ({ refineToken: t, predictedIou: 1 - i / 10 }) as CandidateDto,
    ),
    elapsedMs: 3,
    cached: false,
  };
}

function session(maxPoints = 10) {
  const { requests, predict } = controlled();
  const snapshots: PromptSnapshot[] = [];
  let clock = 0;
  const latencies: number[] = [];
  const s = new PromptSession(predict, {
    maxPoints: () => maxPoints,
    onChange: (snap) => snapshots.push(snap),
    onAnswer: (ms) => latencies.push(ms),
    now: () => (clock += 7),
  });
  const last = () => snapshots.at(-1)!;
  return { s, requests, last, latencies };
}

describe('PromptSession', () => {
  it('sends the active candidate refineToken with the next point', async () => {
    const { s, requests, last } = session();
    const first = s.addPoint(10, 20, 1);
    expect(requests[0]!.body).toEqual({ points: [{ x: 10, y: 20, label: 1 }] });
    expect(last().pending).toBe(true);
    requests[0]!.resolve(response('t1', 't2', 't3'));
    await first;
    expect(last().candidates).toHaveLength(3);
    s.pick(2);
    const second = s.addPoint(30, 40, 0);
    expect(requests[1]!.body).toEqual({
      points: [
        { x: 10, y: 20, label: 1 },
        { x: 30, y: 40, label: 0 },
      ],
      refineToken: 't3',
    });
    requests[1]!.resolve(response('t4'));
    await second;
    expect(last().active).toBe(0);
    expect(last().pending).toBe(false);
  });

  it('drops an older answer that arrives after a newer one', async () => {
    const { s, requests, last, latencies } = session();
    const a = s.addPoint(1, 1, 1);
    const b = s.addPoint(2, 2, 1);
    requests[1]!.resolve(response('new'));
    await b;
    requests[0]!.resolve(response('old'));
    await a;
    expect(last().candidates.map((c) => c.refineToken)).toEqual(['new']);
    expect(latencies).toHaveLength(1);
  });

  it('box and points go together; a new box replaces the old one', async () => {
    const { s, requests } = session();
    void s.setBox({ x0: 50, y0: 40, x1: 10, y1: 5 });
    expect(requests[0]!.body).toEqual({ points: [], box: { x0: 10, y0: 5, x1: 50, y1: 40 } });
    void s.addPoint(20, 20, 1);
    expect(requests[1]!.body.box).toEqual({ x0: 10, y0: 5, x1: 50, y1: 40 });
    void s.setBox({ x0: 0, y0: 0, x1: 5, y1: 5 });
    expect(requests[2]!.body).toEqual({
      points: [{ x: 20, y: 20, label: 1 }],
      box: { x0: 0, y0: 0, x1: 5, y1: 5 },
    });
  });

  it('undoLast takes back points and boxes in order and asks again without a token', async () => {
    const { s, requests, last } = session();
    void s.setBox({ x0: 0, y0: 0, x1: 9, y1: 9 });
    requests[0]!.resolve(response('t1'));
    await Promise.resolve();
    const p = s.addPoint(3, 3, 1);
    requests[1]!.resolve(response('t2'));
    await p;
    expect(s.undoLast()).toBe(true);
    expect(requests[2]!.body).toEqual({ points: [], box: { x0: 0, y0: 0, x1: 9, y1: 9 } });
    expect(s.undoLast()).toBe(true);
    expect(last().candidates).toEqual([]);
    expect(s.hasPrompt).toBe(false);
    expect(s.undoLast()).toBe(false);
    expect(requests).toHaveLength(3);
  });

  it('refuses more points than the server allows, naming the limit', () => {
    const { s, requests, last } = session(2);
    void s.addPoint(1, 1, 1);
    void s.addPoint(2, 2, 1);
    void s.addPoint(3, 3, 1);
    expect(requests).toHaveLength(2);
    expect(last().error).toBe('At most 2 points per prompt: accept or clear this one first');
  });

  it('cycles and picks candidates; clear drops late answers', async () => {
    const { s, requests, last } = session();
    const a = s.addPoint(1, 1, 1);
    requests[0]!.resolve(response('a', 'b', 'c'));
    await a;
    s.cycle(1);
    s.cycle(1);
    s.cycle(1);
    expect(last().active).toBe(0);
    s.cycle(-1);
    expect(last().active).toBe(2);
    expect(s.pick(5)).toBe(false);
    const b = s.addPoint(2, 2, 1);
    s.clear();
    requests[1]!.resolve(response('late'));
    await b;
    expect(last().candidates).toEqual([]);
    expect(last().points).toEqual([]);
  });

  it('shows the server error and keeps the points for another try', async () => {
    const { s, requests, last } = session();
    const a = s.addPoint(1, 1, 1);
    requests[0]!.reject(new Error('The model failed to run'));
    await a;
    expect(last().error).toBe('The model failed to run');
    expect(last().points).toHaveLength(1);
    expect(last().pending).toBe(false);
  });

  it('editing starts from the stored prompts; new clicks add to them and undo only takes those back', async () => {
    const { s, requests, last } = session();
    s.edit(7, { points: [{ x: 3, y: 4, label: 1 }], box: { x0: 0, y0: 0, x1: 9, y1: 9 } });
    expect(last()).toMatchObject({ target: 7, points: [{ x: 3, y: 4, label: 1 }] });
    expect(requests).toHaveLength(0);
    void s.addPoint(6, 6, 0);
    expect(requests[0]!.body).toEqual({
      points: [
        { x: 3, y: 4, label: 1 },
        { x: 6, y: 6, label: 0 },
      ],
      box: { x0: 0, y0: 0, x1: 9, y1: 9 },
    });
    expect(s.undoLast()).toBe(true);
    expect(last().points).toEqual([{ x: 3, y: 4, label: 1 }]);
    expect(s.undoLast()).toBe(false);
  });

  it('editing an object without stored prompts starts from its box', () => {
    const { s, requests, last } = session();
    s.edit(42, { points: [], box: { x0: 1, y0: 2, x1: 30, y1: 40 } });
    expect(last().target).toBe(42);
    expect(s.hasPrompt).toBe(true);
    expect(requests).toHaveLength(0);
    void s.addPoint(5, 5, 0);
    expect(requests[0]!.body).toEqual({
      points: [{ x: 5, y: 5, label: 0 }],
      box: { x0: 1, y0: 2, x1: 30, y1: 40 },
    });
  });
});
