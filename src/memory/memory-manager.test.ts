import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/index.js';
import { MemoryConfigError, MemoryPressureError } from './errors.js';
import { MemoryManager } from './memory-manager.js';
import {
  BUDGET,
  capturingLogger,
  fill,
  makeCache,
  registerDesignCaches,
  setup,
  SimulatedProbe,
} from './test-support.js';
import type { Releaser } from './types.js';

const WARNING_MSG = 'Memory usage crossed the warning threshold';

describe('MemoryManager levels', () => {
  it('walks normal -> warning -> critical -> normal and moves the background gate with it', async () => {
    const { manager, probe, events } = setup();
    probe.baselineRss = 0.5 * BUDGET;
    expect((await manager.check()).level).toBe('normal');
    expect(manager.background.state).toBe('open');

    probe.baselineRss = 0.9 * BUDGET;
    const warning = await manager.check();
    expect(warning).toMatchObject({ level: 'warning', driver: 'process', backgroundOpen: false });
    expect(manager.background.state).toBe('paused');
    const parked = manager.background.whenOpen();
    let parkedState = 'pending';
    parked.then(
      () => (parkedState = 'resolved'),
      (err: unknown) => (parkedState = err instanceof MemoryPressureError ? 'refused' : 'other'),
    );

    probe.baselineRss = 0.97 * BUDGET;
    expect((await manager.check()).level).toBe('critical');
    expect(manager.background.state).toBe('refusing');
    expect(() => manager.background.assertOpen()).toThrow(MemoryPressureError);
    await Promise.resolve();
    expect(parkedState).toBe('refused');

    probe.baselineRss = 0.4 * BUDGET;
    const normal = await manager.check();
    expect(normal).toMatchObject({ level: 'normal', backgroundOpen: true, usage: 0.4 });
    await expect(manager.background.whenOpen()).resolves.toBeUndefined();

    expect(events.filter(([name]) => name === 'level').map(([, e]) => e)).toEqual([
      { from: 'normal', to: 'warning', usage: 0.9, driver: 'process' },
      { from: 'warning', to: 'critical', usage: 0.97, driver: 'process' },
      { from: 'critical', to: 'normal', usage: 0.4, driver: 'process' },
    ]);
    expect(manager.metrics()).toMatchObject({
      checks: 4,
      transitions: { normal: 1, warning: 1, critical: 1 },
    });
  });

  it('logs the warning once per crossing, not on every check', async () => {
    const { manager, probe, lines } = setup();
    for (const usage of [0.9, 0.9, 0.88, 0.9, 0.5, 0.5, 0.86, 0.87]) {
      probe.baselineRss = usage * BUDGET;
      await manager.check();
    }
    const crossings = lines.filter((l) => l.msg === WARNING_MSG);
    expect(crossings).toHaveLength(2);
    expect(crossings[0]).toMatchObject({
      level: 40,
      component: 'memory',
      from: 'normal',
      to: 'warning',
      usage: 0.9,
      driver: 'process',
      budgetBytes: BUDGET,
      budgetSource: 'config',
    });
    expect(lines.filter((l) => l.msg === 'Memory pressure eased to normal')).toHaveLength(1);
  });

  it('does not flap while usage jitters around the warning threshold', async () => {
    const { manager, probe, events } = setup();
    const levels: string[] = [];
    for (const usage of [0.86, 0.84, 0.851, 0.835, 0.849, 0.831, 0.829]) {
      probe.baselineRss = usage * BUDGET;
      levels.push((await manager.check()).level);
    }
    expect(levels).toEqual([
      'warning',
      'warning',
      'warning',
      'warning',
      'warning',
      'warning',
      'normal',
    ]);
    expect(events.filter(([name]) => name === 'level')).toHaveLength(2);
  });

  it('reports whole-machine pressure as the driver when the system is watched', async () => {
    const { manager, probe } = setup({ watchSystem: true });
    probe.baselineRss = 0.1 * BUDGET;
    probe.systemAvailable = 0.04 * probe.systemTotal;
    const status = await manager.check();
    expect(status).toMatchObject({ level: 'critical', driver: 'system', usage: 0.96 });
  });
});

describe('MemoryManager under pressure', () => {
  it('shrinks caches in priority order down to the shrink target at warning', async () => {
    const gcCalls: number[] = [];
    const { manager, probe, events, lines } = setup({ gc: () => gcCalls.push(1) });
    const caches = registerDesignCaches(manager, probe);
    fill(caches.predictions, 50_000);
    fill(caches.display, 200_000);
    fill(caches.decoded, 100_000);
    fill(caches.embeddings, 400_000);
    probe.baselineRss = 150_000; // usage (150k + 750k) / 1M = 0.9

    const status = await manager.check();

    // (0.90 - 0.75) x 1M = 150k: all 50k of predictions, then 100k of display pictures.
    expect(status.level).toBe('warning');
    expect(caches.predictions.sizeBytes).toBe(0);
    expect(caches.display.sizeBytes).toBe(100_000);
    expect(caches.decoded.sizeBytes).toBe(100_000);
    expect(caches.embeddings.sizeBytes).toBe(400_000);
    expect(status.usage).toBeCloseTo(0.75, 10);
    expect(events.filter(([name]) => name === 'evicted').map(([, e]) => e)).toEqual([
      { cache: 'predictions', bytes: 50_000, reason: 'warning' },
      { cache: 'display', bytes: 100_000, reason: 'warning' },
    ]);
    expect(gcCalls.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.msg === 'Cache evicted entries')).toHaveLength(2);
    expect(manager.metrics().freedBytesByCache).toEqual({ predictions: 50_000, display: 100_000 });
    // Evicted entries were the least recently used ones; the newest display pictures stay.
    expect(caches.display.has('display-19')).toBe(true);
    expect(caches.display.has('display-0')).toBe(false);
  });

  it('does not drain the caches when RSS does not follow a shrink', async () => {
    const { manager, probe, events } = setup();
    // The caches are not watched: their evictions do not lower the simulated RSS, as when the
    // allocator keeps freed chunks.
    const caches = registerDesignCaches(manager, new SimulatedProbe({ systemTotal: 1 }));
    fill(caches.predictions, 50_000);
    fill(caches.display, 200_000);
    const evicted = () =>
      events.filter(([name]) => name === 'evicted').map(([, e]) => ('bytes' in e ? e.bytes : 0));

    probe.baselineRss = 0.9 * BUDGET;
    await manager.check();
    expect(evicted()).toEqual([50_000, 100_000]);
    await manager.check();
    await manager.check();
    expect(evicted()).toEqual([50_000, 100_000]);

    // New growth beyond what the shrink achieved is taken back, and only that.
    probe.baselineRss = 0.92 * BUDGET;
    await manager.check();
    expect(evicted()).toEqual([50_000, 100_000, 20_000]);
    expect(caches.display.sizeBytes).toBe(80_000);

    // A new crossing aims for the shrink target again.
    probe.baselineRss = 0.5 * BUDGET;
    await manager.check();
    probe.baselineRss = 0.9 * BUDGET;
    await manager.check();
    expect(caches.display.sizeBytes).toBe(0);
  });

  it('clears every cache and calls every releaser at critical, past one that throws', async () => {
    let gcRuns = 0;
    const { manager, probe, events, lines } = setup({
      gc: () => gcRuns++,
      releaserTimeoutMs: 1000,
    });
    const caches = registerDesignCaches(manager, probe);
    fill(caches.predictions, 50_000);
    fill(caches.embeddings, 400_000);
    // Idle "sessions" that the releasers drop; their bytes leave the simulated RSS.
    const sessions = new Map([
      ['encoder', Buffer.alloc(60_000, 1)],
      ['decoder', Buffer.alloc(20_000, 2)],
    ]);
    const released: string[] = [];
    const sessionReleaser = (name: string): Releaser => ({
      name: `${name}-session`,
      release: async () => {
        released.push(name);
        const bytes = sessions.get(name)?.length ?? 0;
        sessions.delete(name);
        probe.baselineRss -= bytes;
        return bytes;
      },
    });
    manager.registerReleaser(sessionReleaser('encoder'));
    manager.registerReleaser({
      name: 'broken-pool',
      release: () => {
        released.push('broken');
        throw new Error('pool state corrupted');
      },
    });
    manager.registerReleaser(sessionReleaser('decoder'));
    probe.baselineRss = 530_000; // (530k + 450k) / 1M = 0.98

    const status = await manager.check();
    await manager.whenReleased();

    expect(status.level).toBe('critical');
    expect(status.caches.map((c) => c.sizeBytes)).toEqual([0, 0, 0, 0]);
    expect(released).toEqual(['encoder', 'broken', 'decoder']);
    expect(sessions.size).toBe(0);
    expect(probe.rss).toBe(450_000);
    // Once for the cleared caches, once for what the releasers let go.
    expect(gcRuns).toBe(2);
    expect(events.filter(([name]) => name === 'released').map(([, e]) => e)).toEqual([
      { releaser: 'encoder-session', bytes: 60_000 },
      { releaser: 'decoder-session', bytes: 20_000 },
    ]);
    expect(
      events.filter(([name, e]) => name === 'evicted' && 'reason' in e && e.reason === 'critical'),
    ).toHaveLength(2);
    const failure = lines.find((l) => l.msg === 'Releaser failed');
    expect(failure).toMatchObject({ releaser: 'broken-pool', level: 50 });
    expect(JSON.stringify(failure)).toContain('pool state corrupted');
    expect(manager.metrics().releasers).toEqual({
      'encoder-session': { calls: 1, failures: 0, bytes: 60_000 },
      'broken-pool': { calls: 1, failures: 1, bytes: 0 },
      'decoder-session': { calls: 1, failures: 0, bytes: 20_000 },
    });

    // Still critical on the next check (within the margin): caches refilled by interactive work are
    // cleared again, but idle sessions are not released a second time.
    fill(caches.predictions, 30_000);
    probe.baselineRss = 0.94 * BUDGET - 30_000;
    expect((await manager.check()).level).toBe('critical');
    await manager.whenReleased();
    expect(caches.predictions.sizeBytes).toBe(0);
    expect(released).toEqual(['encoder', 'broken', 'decoder']);
  });

  it('escalates to critical within one check when shrinking does not keep up', async () => {
    const { manager, probe } = setup({
      // Something else allocates while we shrink: the re-probe sees more, not less.
      gc: () => (probe.baselineRss += 200_000),
    });
    const caches = registerDesignCaches(manager, probe);
    fill(caches.predictions, 50_000);
    probe.baselineRss = 850_000; // 0.9
    const status = await manager.check();
    expect(status.level).toBe('critical');
    expect(manager.metrics().transitions).toEqual({ normal: 0, warning: 1, critical: 1 });
  });

  it('keeps serving: listeners that throw are logged and the check completes', async () => {
    const { manager, probe, lines } = setup();
    manager.on('level', () => {
      throw new Error('status bar disconnected');
    });
    probe.baselineRss = 0.9 * BUDGET;
    expect((await manager.check()).level).toBe('warning');
    expect(lines.find((l) => l.msg === 'A memory event listener threw')).toMatchObject({
      event: 'level',
    });
  });
});

describe('MemoryManager budget', () => {
  it('re-sizes cache budgets when the configured budget or the cgroup limit changes', async () => {
    const { manager, probe, events } = setup();
    const caches = registerDesignCaches(manager, probe);
    expect(caches.embeddings.budgetBytes).toBe(400_000);
    fill(caches.embeddings, 400_000);

    manager.setConfiguredBudget(500_000);
    expect(caches.embeddings.budgetBytes).toBe(200_000);
    expect(caches.embeddings.sizeBytes).toBe(200_000);
    expect(caches.display.budgetBytes).toBe(100_000);
    expect(manager.status()).toMatchObject({ budgetBytes: 500_000, budgetSource: 'config' });

    // A container limit appears (or shows up at the first sample): it wins when it is smaller.
    probe.cgroup = {
      version: 2,
      dir: '/sys/fs/cgroup',
      limitBytes: 250_000,
      usageBytes: 100_000,
      workingSetBytes: 90_000,
    };
    probe.baselineRss = 10_000;
    const status = await manager.check();
    expect(status).toMatchObject({ budgetBytes: 250_000, budgetSource: 'cgroup' });
    expect(caches.embeddings.budgetBytes).toBe(100_000);
    expect(caches.predictions.budgetBytes).toBe(12_500);

    probe.cgroup = null;
    manager.setConfiguredBudget('auto');
    await manager.check();
    expect(manager.status()).toMatchObject({
      budgetBytes: 10 * BUDGET,
      budgetSource: 'physical',
      configuredBudget: 'auto',
    });
    expect(caches.embeddings.budgetBytes).toBe(4_000_000);

    expect(events.filter(([name]) => name === 'budget').map(([, e]) => e)).toEqual([
      { from: { bytes: BUDGET, source: 'config' }, to: { bytes: 500_000, source: 'config' } },
      { from: { bytes: 500_000, source: 'config' }, to: { bytes: 250_000, source: 'cgroup' } },
      {
        from: { bytes: 250_000, source: 'cgroup' },
        to: { bytes: 10 * BUDGET, source: 'physical' },
      },
    ]);
    expect(events).toContainEqual([
      'evicted',
      { cache: 'embeddings', bytes: 200_000, reason: 'budget' },
    ]);
  });

  it('rejects budgets and registrations it cannot use, naming the value', () => {
    const { manager } = setup();
    expect(() => manager.setConfiguredBudget(-5)).toThrow(MemoryConfigError);
    expect(() => manager.setConfiguredBudget(1.5)).toThrow(/memory\.budget.*1\.5/);
    manager.registerCache(makeCache('embeddings'), { share: 0.6, priority: 40 });
    expect(() =>
      manager.registerCache(makeCache('embeddings'), { share: 0.1, priority: 40 }),
    ).toThrow(/"embeddings" is already registered/);
    expect(() => manager.registerCache(makeCache('display'), { share: 0.5, priority: 20 })).toThrow(
      /"display": share 0\.5 .* 1\.10 .*embeddings 0\.6/,
    );
    expect(() => manager.registerCache(makeCache('x'), { share: Number.NaN, priority: 1 })).toThrow(
      /"x": share must be a fraction from 0 to 1, got NaN/,
    );
  });

  it('stops managing a cache once unregistered', async () => {
    const { manager, probe } = setup();
    const cache = makeCache('predictions');
    const unregister = manager.registerCache(cache, { share: 0.05, priority: 10 });
    unregister();
    manager.setConfiguredBudget(100_000);
    expect(cache.budgetBytes).toBe(50_000);
    probe.baselineRss = 0;
    expect((await manager.check()).caches).toEqual([]);
  });
});

describe('MemoryManager checks', () => {
  it('drops stale cache entries on every check', async () => {
    const { manager, probe, events, lines } = setup();
    const cache = makeCache('predictions', { ttlMs: 1 });
    manager.registerCache(cache, { share: 0.05, priority: 10 });
    probe.watch(cache);
    fill(cache, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await manager.check();
    expect(cache.sizeBytes).toBe(0);
    expect(events).toContainEqual([
      'evicted',
      { cache: 'predictions', bytes: 20_000, reason: 'stale' },
    ]);
    expect(lines.find((l) => l.msg === 'Cache entries expired')).toMatchObject({ level: 20 });
  });

  it('shares one probe reading between concurrent checks', async () => {
    const { manager, probe } = setup();
    const [a, b, c] = await Promise.all([manager.check(), manager.check(), manager.check()]);
    expect(probe.samples).toBe(1);
    expect(a).toBe(b);
    expect(b).toBe(c);
  });

  it('checks on a timer until stopped, and reports a failing probe once', async () => {
    const { logger, lines } = capturingLogger();
    let samples = 0;
    const manager = new MemoryManager({
      config: defaultConfig().with({ 'memory.checkIntervalMs': 100 }),
      logger,
      gc: null,
      probe: {
        sample: async () => {
          samples++;
          throw new Error('procfs unavailable');
        },
      },
    });
    manager.start();
    manager.start(); // idempotent
    while (samples < 3) await new Promise((resolve) => setTimeout(resolve, 25));
    manager.stop();
    const after = samples;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(samples).toBe(after);
    expect(manager.metrics().probeFailures).toBe(samples);
    expect(lines.filter((l) => l.msg === 'Memory check failed')).toHaveLength(1);
  });

  it('gives a status snapshot before and after the first check', async () => {
    const { manager, probe } = setup();
    expect(manager.status()).toMatchObject({
      level: 'normal',
      usage: 0,
      process: null,
      sampledAt: null,
      budgetSource: 'config',
      thresholds: { warning: 0.85, critical: 0.95, shrinkTarget: 0.75, hysteresis: 0.02 },
    });
    probe.baselineRss = 123_456;
    const gpu = [{ index: 0, name: 'NVIDIA L4', totalBytes: 24 * BUDGET, usedBytes: 3 * BUDGET }];
    probe.gpu = gpu;
    const status = await manager.check();
    expect(status.process?.rss).toBe(123_456);
    // Shown, not yet budgeted: GPU memory does not enter the usage ratio.
    expect(status.gpu).toEqual(gpu);
    expect(status.system?.totalBytes).toBe(10 * BUDGET);
    expect(status.usageByDriver).toEqual({ process: 0.123456, cgroup: null, system: null });
    expect(manager.metrics().lastSample?.process.rss).toBe(123_456);
  });
});
