import { describe, expect, it } from 'vitest';
import { MemoryPressureError } from '../../memory/index.js';
import { EngineClosedError } from './errors.js';
import { queueHarness, settle, simulatedMemory } from './test-support.js';
import { WorkQueue } from './work-queue.js';

const harness = queueHarness;

describe('WorkQueue encoder slot', () => {
  it('runs one encode at a time, highest priority first, first come first served within one', async () => {
    const h = harness();
    const jobs = [
      h.submit('batch-1', 'batch'),
      h.submit('prefetch-1', 'prefetch'),
      h.submit('prefetch-2', 'prefetch'),
      h.submit('onScreen-1', 'onScreen'),
      h.submit('batch-2', 'batch'),
      h.submit('interactive-1', 'interactive'),
    ];
    await settle();
    // The first submission took the free slot at once; the rest waited for it in priority order.
    expect(h.started).toEqual(['batch-1']);
    expect(h.queue.stats().queued).toEqual({ interactive: 1, onScreen: 1, prefetch: 2, batch: 1 });
    expect(h.queue.stats().encoding).toBe('batch');
    for (const name of ['batch-1', 'interactive-1', 'onScreen-1', 'prefetch-1', 'prefetch-2']) {
      await h.finish(name);
    }
    await h.finish('batch-2');
    expect(h.started).toEqual([
      'batch-1',
      'interactive-1',
      'onScreen-1',
      'prefetch-1',
      'prefetch-2',
      'batch-2',
    ]);
    expect(h.maxRunning()).toBe(1);
    await expect(Promise.all(jobs.map((j) => j.result))).resolves.toHaveLength(6);
    expect(h.queue.stats()).toMatchObject({
      completed: { interactive: 1, onScreen: 1, prefetch: 2, batch: 2 },
      encoding: null,
      encode: { count: 6 },
    });
  });

  it('orders equal priorities by the order taken when the request arrived, not when it was submitted', async () => {
    const h = harness();
    h.submit('blocker', 'onScreen');
    const early = h.queue.nextOrder();
    const late = h.queue.nextOrder();
    h.submit('late', 'prefetch', { order: late });
    h.submit('early', 'prefetch', { order: early });
    await h.finish('blocker');
    await h.finish('early');
    expect(h.started).toEqual(['blocker', 'early', 'late']);
  });

  it('raises queued work: a prefetch the user opens passes the other prefetches', async () => {
    const h = harness();
    h.submit('blocker', 'batch');
    h.submit('next-1', 'prefetch');
    const wanted = h.submit('next-2', 'prefetch');
    wanted.raise('onScreen');
    wanted.raise('batch'); // never down
    expect(wanted.priority).toBe('onScreen');
    await h.finish('blocker');
    expect(h.started).toEqual(['blocker', 'next-2']);
  });

  it('drops queued work whose signal aborts, and passes the abort on to running work', async () => {
    const h = harness();
    const runningStop = new AbortController();
    const queuedStop = new AbortController();
    const running = h.submit('running', 'prefetch', { signal: runningStop.signal });
    const queued = h.submit('queued', 'prefetch', { signal: queuedStop.signal });
    await settle();
    queuedStop.abort(new Error('moved on'));
    await expect(queued.result).rejects.toThrow('moved on');
    expect(queued.state).toBe('settled');
    runningStop.abort(new Error('stop now'));
    expect(h.signals.get('running')!.aborted).toBe(true);
    expect(h.signals.get('running')!.reason).toEqual(new Error('stop now'));
    await h.finish('running');
    await expect(running.result).resolves.toBe('running');
    expect(h.started).toEqual(['running']);
    expect(h.queue.stats().cancelled.prefetch).toBe(1);
    // Already aborted when submitted: never queued.
    const late = h.submit('late', 'batch', { signal: AbortSignal.abort(new Error('too late')) });
    await expect(late.result).rejects.toThrow('too late');
  });

  it('runs decodes at once, outside the slot, while a long encode holds it', async () => {
    const h = harness();
    const encode = h.submit('long background encode', 'batch');
    await settle();
    const order: string[] = [];
    const answer = await h.queue.decode(async () => {
      order.push(`decode while encoding: ${h.queue.stats().encoding}`);
      return 'mask';
    });
    expect(answer).toBe('mask');
    expect(order).toEqual(['decode while encoding: batch']);
    expect(encode.state).toBe('running');
    await h.finish('long background encode');
    await expect(h.queue.decode(() => Promise.reject(new Error('bad prompt')))).rejects.toThrow(
      'bad prompt',
    );
    expect(h.queue.stats()).toMatchObject({
      decodes: { completed: 1, failed: 1 },
      decode: { count: 1 },
      decodesRunning: 0,
    });
  });

  it('keeps going after a failed encode and counts it', async () => {
    const queue = new WorkQueue();
    const failed = queue.encode(() => Promise.reject(new Error('encoder crashed')), {
      priority: 'onScreen',
    });
    const next = queue.encode(async () => 'fine', { priority: 'onScreen' });
    await expect(failed.result).rejects.toThrow('encoder crashed');
    await expect(next.result).resolves.toBe('fine');
    expect(queue.stats()).toMatchObject({ failed: { onScreen: 1 }, completed: { onScreen: 1 } });
  });

  it('close() rejects queued work, aborts the running encode and refuses new work', async () => {
    const h = harness();
    const running = h.submit('running', 'onScreen');
    const queued = h.submit('queued', 'prefetch');
    await settle();
    const closing = h.queue.close();
    await expect(queued.result).rejects.toBeInstanceOf(EngineClosedError);
    expect(h.signals.get('running')!.aborted).toBe(true);
    await h.finish('running');
    await closing;
    await expect(running.result).resolves.toBe('running');
    await expect(h.submit('after', 'interactive').result).rejects.toBeInstanceOf(EngineClosedError);
    await expect(h.queue.decode(async () => 1)).rejects.toBeInstanceOf(EngineClosedError);
  });

  it('whenIdle() resolves once nothing runs or waits', async () => {
    const h = harness();
    h.submit('a', 'prefetch');
    h.submit('b', 'prefetch');
    let idle = false;
    void h.queue.whenIdle().then(() => (idle = true));
    await h.finish('a');
    expect(idle).toBe(false);
    await h.finish('b');
    expect(idle).toBe(true);
  });
});

describe('WorkQueue and memory pressure (real MemoryManager, simulated process)', () => {
  it('holds background work at warning while foreground work passes, and runs it when pressure eases', async () => {
    const { manager, setUsage } = simulatedMemory();
    const h = harness(new WorkQueue({ gate: manager.background }));
    await setUsage(0.9);
    expect(manager.currentLevel).toBe('warning');
    const prefetch = h.submit('prefetch', 'prefetch');
    const onScreen = h.submit('onScreen', 'onScreen');
    await settle();
    expect(h.started).toEqual(['onScreen']);
    await h.finish('onScreen');
    await expect(onScreen.result).resolves.toBe('onScreen');
    expect(h.started).toEqual(['onScreen']);
    expect(h.queue.stats().waitingForMemory).toBe(true);
    expect(prefetch.state).toBe('queued');

    await setUsage(0.5);
    await settle();
    expect(h.started).toEqual(['onScreen', 'prefetch']);
    await h.finish('prefetch');
    await expect(prefetch.result).resolves.toBe('prefetch');
  });

  it('refuses background work at critical, queued and new, while interactive work proceeds', async () => {
    const { manager, setUsage } = simulatedMemory();
    const h = harness(new WorkQueue({ gate: manager.background }));
    await setUsage(0.9);
    const queuedPrefetch = h.submit('prefetch', 'prefetch').result.catch((err: unknown) => err);
    const queuedBatch = h.submit('batch', 'batch').result.catch((err: unknown) => err);
    await setUsage(0.97);
    expect(manager.currentLevel).toBe('critical');
    const refusal = await queuedPrefetch;
    expect(refusal).toBeInstanceOf(MemoryPressureError);
    expect((refusal as MemoryPressureError).level).toBe('critical');
    expect(await queuedBatch).toBeInstanceOf(MemoryPressureError);

    const fresh = h.submit('new prefetch', 'prefetch');
    await expect(fresh.result).rejects.toThrow(
      /memory usage is 97\.0% of the budget, at the critical level/,
    );
    expect(() => h.queue.admit('batch')).toThrow(MemoryPressureError);
    expect(() => h.queue.admit('interactive')).not.toThrow();

    const click = h.submit('interactive', 'interactive');
    await settle();
    await h.finish('interactive');
    await expect(click.result).resolves.toBe('interactive');
    expect(h.started).toEqual(['interactive']);
    expect(h.queue.stats().refused).toEqual({ interactive: 0, onScreen: 0, prefetch: 2, batch: 1 });
  });

  it('refuses queued background work when the level turns critical while the slot is busy', async () => {
    const { manager, setUsage } = simulatedMemory();
    const h = harness(new WorkQueue({ gate: manager.background }));
    h.submit('onScreen', 'onScreen');
    const prefetch = h.submit('prefetch', 'prefetch');
    const outcome = prefetch.result.catch((err: unknown) => err);
    await settle();
    await setUsage(0.97);
    await h.finish('onScreen');
    expect(await outcome).toBeInstanceOf(MemoryPressureError);
    expect(h.started).toEqual(['onScreen']);
  });
});
