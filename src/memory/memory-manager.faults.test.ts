import { describe, expect, it } from 'vitest';
import { CACHE_PRIORITY } from './cache-registry.js';
import { MemoryProbeError } from './errors.js';
import {
  BUDGET,
  fill,
  makeCache,
  registerDesignCaches,
  setup,
  type ManagerSetup,
} from './test-support.js';

const FAILED_MSG = 'Cache operation failed';

/**
 * A real cache whose eviction hook throws, as a cache with a buggy onEvict listener does: every
 * operation that evicts (clear, shrinkTo, setBudget, purgeStale) drops its entry, then throws.
 */
function brokenCache(name: string, clock?: { now(): number }) {
  const state = { broken: true };
  const cache = makeCache(name, {
    ttlMs: clock ? 1000 : undefined,
    clock,
    onEvict: () => {
      if (state.broken) throw new Error('thumbnail index out of sync');
    },
  });
  return { cache, state };
}

function failures({ lines }: ManagerSetup) {
  return lines.filter((l) => l.msg === FAILED_MSG);
}

describe('MemoryManager with a cache that throws', () => {
  it('still clears the other caches and runs the releasers when entering critical', async () => {
    const run = setup();
    const { manager, probe } = run;
    const predictions = makeCache('predictions');
    const { cache: display } = brokenCache('display');
    const embeddings = makeCache('embeddings');
    manager.registerCache(predictions, { share: 0.05, priority: CACHE_PRIORITY.predictions });
    manager.registerCache(display, { share: 0.2, priority: CACHE_PRIORITY.displayImages });
    manager.registerCache(embeddings, { share: 0.4, priority: CACHE_PRIORITY.embeddings });
    probe.watch(predictions, display, embeddings);
    let released = 0;
    manager.registerReleaser({ name: 'idle-sessions', release: () => ++released });
    fill(predictions, 50_000);
    fill(display, 100_000);
    fill(embeddings, 400_000);
    probe.baselineRss = 430_000; // (430k + 550k) / 1M = 0.98

    const status = await manager.check();
    await manager.whenReleased();

    expect(status.level).toBe('critical');
    expect(predictions.sizeBytes).toBe(0);
    expect(embeddings.sizeBytes).toBe(0);
    expect(released).toBe(1);
    expect(failures(run)).toHaveLength(1);
    expect(failures(run)[0]).toMatchObject({ cache: 'display', operation: 'clear', level: 50 });
    expect(JSON.stringify(failures(run)[0])).toContain('thumbnail index out of sync');
    expect(manager.metrics()).toMatchObject({
      probeFailures: 0,
      cacheFailures: { display: 1 },
      releasers: { 'idle-sessions': { calls: 1, failures: 0 } },
    });
  });

  it('serves the other caches when shrinking, purging and re-sizing fail on one', async () => {
    let now = 1;
    const clock = { now: () => now };
    const run = setup();
    const { manager, probe, events } = run;
    // First in shrink order, so its failure comes before the caches that must still give.
    const broken = brokenCache('predictions', clock);
    const display = makeCache('display');
    const decoded = makeCache('decoded', { ttlMs: 1000, clock });
    manager.registerCache(broken.cache, { share: 0.05, priority: CACHE_PRIORITY.predictions });
    manager.registerCache(display, { share: 0.2, priority: CACHE_PRIORITY.displayImages });
    manager.registerCache(decoded, { share: 0.1, priority: CACHE_PRIORITY.decodedImages });
    probe.watch(broken.cache, display, decoded);
    fill(broken.cache, 50_000);
    fill(display, 200_000);

    // Warning: (0.9 - 0.75) x 1M = 150k wanted; the broken cache throws, display gives it all.
    probe.baselineRss = 650_000;
    expect((await manager.check()).level).toBe('warning');
    expect(display.sizeBytes).toBe(50_000);
    expect(manager.metrics().cacheFailures).toEqual({ predictions: 1 });

    // Expiry: the broken cache throws, decoded still drops its stale entries.
    fill(decoded, 100_000);
    now += 2000;
    probe.baselineRss = 500_000;
    expect((await manager.check()).level).toBe('normal');
    expect(decoded.sizeBytes).toBe(0);
    expect(events).toContainEqual([
      'evicted',
      { cache: 'decoded', bytes: 100_000, reason: 'stale' },
    ]);
    expect(manager.metrics().cacheFailures).toEqual({ predictions: 2 });

    // A smaller budget: the broken cache throws, the others get their new shares.
    expect(() => manager.setConfiguredBudget(200_000)).not.toThrow();
    expect(display.budgetBytes).toBe(40_000);
    expect(display.sizeBytes).toBe(40_000);
    expect(decoded.budgetBytes).toBe(20_000);
    expect(manager.metrics().cacheFailures).toEqual({ predictions: 3 });

    // Logged once while it keeps failing (purgeStale runs on every tick), again after a recovery.
    expect(failures(run).map((l) => [l.cache, l.operation])).toEqual([['predictions', 'shrinkTo']]);
    broken.state.broken = false;
    await manager.check();
    expect(run.lines.filter((l) => l.msg === 'Cache works again')).toHaveLength(1);
    broken.state.broken = true;
    fill(broken.cache, 10_000);
    manager.setConfiguredBudget(100_000);
    expect(failures(run).map((l) => [l.cache, l.operation])).toEqual([
      ['predictions', 'shrinkTo'],
      ['predictions', 'setBudget'],
    ]);
  });
});

describe('MemoryManager with a reading that gives no usage', () => {
  it('counts it as a probe failure and keeps the level, budget and background refusal', async () => {
    const { manager, probe } = setup();
    const caches = registerDesignCaches(manager, probe);
    probe.baselineRss = 0.97 * BUDGET;
    expect((await manager.check()).level).toBe('critical');

    probe.baselineRss = Number.NaN;
    await expect(manager.check()).rejects.toThrow(MemoryProbeError);
    await expect(manager.check()).rejects.toThrow(/process memory usage from rss = NaN/);
    expect(manager.currentLevel).toBe('critical');
    expect(manager.background.state).toBe('refusing');
    expect(manager.status().usage).toBe(0.97);

    // No physical RAM figure: the budget it would give is not applied to the caches.
    probe.baselineRss = 0.97 * BUDGET;
    probe.systemTotal = Number.NaN;
    await expect(manager.check()).rejects.toThrow(/budget = NaN/);
    expect(manager.status()).toMatchObject({ budgetBytes: BUDGET, level: 'critical' });
    expect(caches.embeddings.budgetBytes).toBe(400_000);

    probe.systemTotal = 10 * BUDGET;
    probe.cgroup = {
      version: 2,
      dir: '/sys/fs/cgroup',
      limitBytes: 2 * BUDGET,
      usageBytes: 0,
      workingSetBytes: Number.POSITIVE_INFINITY,
    };
    await expect(manager.check()).rejects.toThrow(/cgroup .* workingSetBytes = Infinity/);
    expect(manager.metrics()).toMatchObject({
      probeFailures: 4,
      transitions: { normal: 0, warning: 0, critical: 1 },
    });

    probe.cgroup = null;
    probe.baselineRss = 0.5 * BUDGET;
    expect((await manager.check()).level).toBe('normal');
  });
});

describe('MemoryManager release rounds', () => {
  it('resolves check() before the releasers finish, and runs one round at a time', async () => {
    // Long enough that a check waiting for the releaser would see it time out and count a failure.
    const { manager, probe, lines } = setup({ releaserTimeoutMs: 2000 });
    let calls = 0;
    let running = 0;
    let mostRunning = 0;
    const finish: Array<() => void> = [];
    manager.registerReleaser({
      name: 'idle-sessions',
      release: () =>
        new Promise<number>((resolve) => {
          calls++;
          mostRunning = Math.max(mostRunning, ++running);
          finish.push(() => {
            running--;
            resolve(25_000);
          });
        }),
    });
    await expect(manager.whenReleased()).resolves.toBeUndefined();

    probe.baselineRss = 0.97 * BUDGET;
    expect((await manager.check()).level).toBe('critical');
    // The releaser was called and is still running; nothing is recorded yet.
    expect(calls).toBe(1);
    expect(running).toBe(1);
    expect(manager.metrics().releasers).toEqual({});

    // Further checks of the same episode do not call it again.
    probe.baselineRss = 0.96 * BUDGET;
    await manager.check();
    expect(calls).toBe(1);

    // A new episode while the first round still runs does not start a second one beside it.
    probe.baselineRss = 0.5 * BUDGET;
    expect((await manager.check()).level).toBe('normal');
    probe.baselineRss = 0.97 * BUDGET;
    expect((await manager.check()).level).toBe('critical');
    expect(calls).toBe(1);

    finish.shift()!();
    await manager.whenReleased();
    expect(manager.metrics().releasers).toEqual({
      'idle-sessions': { calls: 1, failures: 0, bytes: 25_000 },
    });

    // That round belonged to the earlier episode: this one's starts with its next check, once.
    await manager.check();
    expect(calls).toBe(2);
    finish.shift()!();
    await manager.whenReleased();
    await manager.check();
    expect(calls).toBe(2);
    expect(mostRunning).toBe(1);
    expect(lines.filter((l) => l.msg === 'Releaser failed')).toEqual([]);
    expect(manager.metrics().releasers['idle-sessions']).toEqual({
      calls: 2,
      failures: 0,
      bytes: 50_000,
    });
  });

  it('logs what goes wrong at the end of a round instead of leaving a rejection unhandled', async () => {
    let collections = 0;
    const { manager, probe, lines } = setup({
      gc: () => {
        // The first collection follows the cleared caches; the second ends the release round.
        if (++collections === 2) throw new Error('collector crashed');
      },
    });
    manager.registerReleaser({ name: 'idle-sessions', release: () => 0 });
    probe.baselineRss = 0.97 * BUDGET;
    await manager.check();
    await expect(manager.whenReleased()).resolves.toBeUndefined();
    const failure = lines.find((l) => l.msg === 'Release round failed');
    expect(failure).toMatchObject({ level: 50 });
    expect(JSON.stringify(failure)).toContain('collector crashed');
  });
});
