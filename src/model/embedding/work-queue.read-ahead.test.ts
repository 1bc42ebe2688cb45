import { describe, expect, it } from 'vitest';
import { MemoryPressureError } from '../../memory/index.js';
import { EngineClosedError } from './errors.js';
import { HeldPreparation, queueHarness, settle, simulatedMemory } from './test-support.js';
import { WorkQueue } from './work-queue.js';

/** `count` held preparations. */
const preparations = (count: number) => Array.from({ length: count }, () => new HeldPreparation());

describe('WorkQueue read-ahead (preparations outside the encoder slot)', () => {
  it('prepares the next readAhead background jobs while an encode runs, and no more', async () => {
    const h = queueHarness(new WorkQueue({ readAhead: 2 }));
    const p = preparations(5);
    for (let i = 0; i < 5; i++) h.submit(`batch-${i}`, 'batch', { preparation: p[i] });
    await settle();
    // batch-0 took the free slot at once: it prepares inside it, as before.
    expect(h.started).toEqual(['batch-0']);
    expect(p.map((x) => x.started)).toEqual([false, true, true, false, false]);
    expect(h.queue.stats().preparing).toBe(2);
    p[1]!.finish();
    p[2]!.finish();
    await settle();
    // Two pictures decoded ahead: read-ahead stops there.
    expect(p.map((x) => x.started)).toEqual([false, true, true, false, false]);
    expect(h.queue.stats()).toMatchObject({ preparing: 0, preparedAhead: { batch: 2 } });

    await h.finish('batch-0');
    // batch-1 took the slot and runs at once (the encoder has a thread of its own: nothing to
    // wait for), and p3 started decoding beside it.
    expect(p.map((x) => x.started)).toEqual([false, true, true, true, false]);
    expect(h.queue.stats().encoding).toBe('batch');
    await settle();
    expect(h.started).toEqual(['batch-0', 'batch-1']);
    // It found its picture decoded: the slot did not wait for it.
    expect(h.queue.stats().preparedInTime.batch).toBe(1);
    // The job that ran lets go of what it was handed once settled; queued ones keep theirs.
    expect(p.map((x) => x.dropped)).toEqual([true, false, false, false, false]);
    expect(h.maxRunning()).toBe(1);
  });

  it('prepares foreground work at once, beside background preparations, and keeps the priorities', async () => {
    const h = queueHarness(new WorkQueue({ readAhead: 1 }));
    const [p0, p1, onScreen, click] = preparations(4);
    h.submit('batch-0', 'batch', { preparation: p0 });
    h.submit('batch-1', 'batch', { preparation: p1 });
    await settle();
    expect(p1!.started).toBe(true);
    h.submit('onScreen', 'onScreen', { preparation: onScreen });
    h.submit('click', 'interactive', { preparation: click });
    await settle();
    // Not held back by the background decode in flight, nor by readAhead.
    expect([onScreen!.started, click!.started]).toEqual([true, true]);
    expect(h.queue.stats().preparedAhead).toEqual({
      interactive: 1,
      onScreen: 1,
      prefetch: 0,
      batch: 1,
    });
    // A prepared batch job still waits for the foreground work.
    p1!.finish();
    await h.finish('batch-0');
    await h.finish('click');
    await h.finish('onScreen');
    expect(h.started).toEqual(['batch-0', 'click', 'onScreen', 'batch-1']);
  });

  it('drops the prepared input of queued work that is cancelled or closed, and counts it', async () => {
    const h = queueHarness(new WorkQueue({ readAhead: 2 }));
    const [p0, p1, p2] = preparations(3);
    const stop = new AbortController();
    h.submit('batch-0', 'batch', { preparation: p0 });
    const cancelled = h.submit('batch-1', 'batch', { preparation: p1, signal: stop.signal });
    const closed = h
      .submit('batch-2', 'batch', { preparation: p2 })
      .result.catch((e: unknown) => e);
    await settle();
    p1!.finish();
    await settle();
    expect([p1!.started, p2!.started]).toEqual([true, true]);

    stop.abort(new Error('the user stopped'));
    await expect(cancelled.result).rejects.toThrow('the user stopped');
    expect([p1!.dropped, p2!.dropped]).toEqual([true, false]);
    expect(h.queue.stats().droppedAhead.batch).toBe(1);

    // A decode still in flight when its job goes is let go too.
    const closing = h.queue.close();
    expect(p2!.dropped).toBe(true);
    expect(h.queue.stats().droppedAhead.batch).toBe(2);
    expect(await closed).toBeInstanceOf(EngineClosedError);
    await h.finish('batch-0');
    await closing;
  });

  it('keeps to readAhead when a job arrives ahead of prepared ones (a slower lookup): they keep theirs', async () => {
    const h = queueHarness(new WorkQueue({ readAhead: 1 }));
    const [early, late] = [new HeldPreparation(), new HeldPreparation()];
    const earlyOrder = h.queue.nextOrder();
    h.submit('batch-0', 'batch');
    h.submit('late', 'batch', { preparation: late });
    await settle();
    expect(late.started).toBe(true);
    h.submit('early', 'batch', { preparation: early, order: earlyOrder });
    await settle();
    expect([early.started, late.dropped]).toEqual([false, false]);
    late.finish();
    await h.finish('batch-0');
    await h.finish('early');
    expect(h.started).toEqual(['batch-0', 'early', 'late']);
    // early decoded in the slot; late found its picture ready.
    expect(h.queue.stats()).toMatchObject({
      preparedAhead: { batch: 1 },
      preparedInTime: { batch: 1 },
    });
  });

  it('gives the read-ahead place of a cancelled job to the next in line', async () => {
    const h = queueHarness(new WorkQueue({ readAhead: 1 }));
    const [p1, p2] = preparations(2);
    const stop = new AbortController();
    h.submit('batch-0', 'batch');
    h.submit('batch-1', 'batch', { preparation: p1, signal: stop.signal }).result.catch(() => {});
    h.submit('batch-2', 'batch', { preparation: p2 });
    await settle();
    expect([p1!.started, p2!.started]).toEqual([true, false]);
    stop.abort();
    await settle();
    expect([p1!.dropped, p2!.started]).toEqual([true, true]);
  });

  it('pauses background read-ahead at the warning level, resumes when pressure eases, drops at critical', async () => {
    const { manager, setUsage } = simulatedMemory();
    const h = queueHarness(new WorkQueue({ gate: manager.background, readAhead: 2 }));
    const [onScreen, p1, p2, click] = preparations(4);
    await setUsage(0.9);
    h.submit('onScreen', 'onScreen', { preparation: onScreen });
    const batch1 = h.submit('batch-1', 'batch', { preparation: p1 });
    const batch2 = h.submit('batch-2', 'batch', { preparation: p2 });
    h.submit('click', 'interactive', { preparation: click });
    await settle();
    expect(h.started).toEqual(['onScreen']);
    expect([p1!.started, p2!.started, click!.started]).toEqual([false, false, true]);
    expect(h.queue.stats().waitingForMemory).toBe(true);

    // The foreground encode still holds the slot: read-ahead resumes beside it.
    await setUsage(0.5);
    await settle();
    expect(p1!.started).toBe(true);
    p1!.finish();
    await settle();
    expect(p2!.started).toBe(true);

    const refused = [batch1.result, batch2.result].map((r) => r.catch((err: unknown) => err));
    await setUsage(0.97);
    await h.finish('onScreen');
    await h.finish('click');
    for (const outcome of await Promise.all(refused)) {
      expect(outcome).toBeInstanceOf(MemoryPressureError);
    }
    expect([p1!.dropped, p2!.dropped]).toEqual([true, true]);
    expect(h.queue.stats().droppedAhead.batch).toBe(2);
    expect(h.started).toEqual(['onScreen', 'click']);
  });

  it('starts a preparation that could not start yet when asked again, and none ahead with readAhead 0', async () => {
    const h = queueHarness(new WorkQueue({ readAhead: 1 }));
    const [p0, p1] = preparations(2);
    p1!.ready = false;
    h.submit('batch-0', 'batch', { preparation: p0 });
    h.submit('batch-1', 'batch', { preparation: p1 });
    await settle();
    expect(p1!.started).toBe(false);
    p1!.ready = true;
    h.queue.prepareAhead();
    expect(p1!.started).toBe(true);

    const none = queueHarness(new WorkQueue({ readAhead: 0 }));
    const [q0, q1] = preparations(2);
    none.submit('batch-0', 'batch', { preparation: q0 });
    none.submit('batch-1', 'batch', { preparation: q1 });
    await settle();
    expect(q1!.started).toBe(false);
  });
});
