import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CandidateDto, PredictBody, PredictResponse } from '../api/types';
import { HoverPreview } from './hover-preview';
import type { Clock } from './clock';

/** A predictor whose answers the test releases by hand, in any order. */
function controlledPredictor() {
  const requests: {
    body: PredictBody;
    signal: AbortSignal;
    resolve: (r: PredictResponse) => void;
  }[] = [];
  const predict = (body: PredictBody, signal: AbortSignal) =>
    new Promise<PredictResponse>((resolve) => requests.push({ body, signal, resolve }));
  return { requests, predict };
}

function answer(tag: string): PredictResponse {
  const candidate = { refineToken: tag } as CandidateDto;
  return { candidates: [candidate], elapsedMs: 1, cached: false };
}

const fakeClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

describe('HoverPreview', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends at most one request per interval and always the latest position', async () => {
    const { requests, predict } = controlledPredictor();
    const shown: (string | null)[] = [];
    const hover = new HoverPreview(
      predict,
      (c) => shown.push(c?.refineToken ?? null),
      80,
      fakeClock,
    );
    hover.move({ x: 1, y: 1 });
    hover.move({ x: 2, y: 2 });
    hover.move({ x: 3, y: 3 });
    expect(requests.map((r) => r.body.points[0]!.x)).toEqual([1]);
    requests[0]!.resolve(answer('a'));
    await vi.advanceTimersByTimeAsync(0);
    expect(shown).toEqual(['a']);
    // The answer came early: the next request waits for the interval, then sends (3, 3).
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(80);
    expect(requests.map((r) => r.body.points[0]!.x)).toEqual([1, 3]);
    expect(requests[1]!.body.points[0]!.label).toBe(1);
  });

  it('keeps one request in flight: moves during a slow answer wait for it', async () => {
    const { requests, predict } = controlledPredictor();
    const hover = new HoverPreview(predict, () => {}, 10, fakeClock);
    hover.move({ x: 1, y: 1 });
    await vi.advanceTimersByTimeAsync(500);
    hover.move({ x: 5, y: 5 });
    await vi.advanceTimersByTimeAsync(500);
    expect(requests).toHaveLength(1);
    requests[0]!.resolve(answer('slow'));
    await vi.advanceTimersByTimeAsync(0);
    expect(requests.map((r) => r.body.points[0]!.x)).toEqual([1, 5]);
  });

  it('drops an answer that arrives after stop(), and aborts its request', async () => {
    const { requests, predict } = controlledPredictor();
    const shown: (string | null)[] = [];
    const hover = new HoverPreview(
      predict,
      (c) => shown.push(c?.refineToken ?? null),
      80,
      fakeClock,
    );
    hover.move({ x: 1, y: 1 });
    hover.stop();
    expect(requests[0]!.signal.aborted).toBe(true);
    requests[0]!.resolve(answer('stale'));
    await vi.advanceTimersByTimeAsync(200);
    expect(shown).toEqual([null]);
    expect(requests).toHaveLength(1);
  });

  it('drops the answer to a request made before stop() even when a newer one is answered first', async () => {
    const { requests, predict } = controlledPredictor();
    const shown: (string | null)[] = [];
    const hover = new HoverPreview(
      predict,
      (c) => shown.push(c?.refineToken ?? null),
      0,
      fakeClock,
    );
    hover.move({ x: 1, y: 1 }); // request 1
    hover.stop();
    hover.move({ x: 2, y: 2 }); // request 2
    requests[1]!.resolve(answer('new'));
    await vi.advanceTimersByTimeAsync(0);
    requests[0]!.resolve(answer('old'));
    await vi.advanceTimersByTimeAsync(0);
    expect(shown).toEqual([null, 'new']);
  });
});
