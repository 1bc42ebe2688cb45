import os from 'node:os';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { BackgroundGate, type GateState } from './background-gate.js';
import { resolveBudget, type Budget, type BudgetSource } from './budget.js';
import { CacheRegistry, type CacheOutcome, type CacheRegistration } from './cache-registry.js';
import { MemoryConfigError } from './errors.js';
import { HostMemoryProbe } from './host-probe.js';
import { DEFAULT_HYSTERESIS, LEVEL_RANK, nextLevel, type Thresholds } from './levels.js';
import { Listeners } from './listeners.js';
import { releaseAll, type ReleaseOutcome } from './releasers.js';
import type {
  CgroupMemory,
  GpuDevice,
  ManagedCache,
  MemoryLevel,
  MemoryProbe,
  MemorySample,
  ProcessMemory,
  Releaser,
  SystemMemory,
} from './types.js';
import { measureUsage, type Usage, type UsageDriver } from './usage.js';

/** Why the manager took bytes from a cache. */
export type MemoryEvictionReason = 'stale' | 'budget' | 'warning' | 'critical';

/** The ManagedCache method the manager calls for each reason, named in failure logs. */
const CACHE_OPERATION: Record<MemoryEvictionReason, keyof ManagedCache> = {
  stale: 'purgeStale',
  budget: 'setBudget',
  warning: 'shrinkTo',
  critical: 'clear',
};

export interface MemoryEvents {
  level: { from: MemoryLevel; to: MemoryLevel; usage: number; driver: UsageDriver };
  evicted: { cache: string; bytes: number; reason: MemoryEvictionReason };
  released: { releaser: string; bytes: number };
  budget: { from: Budget; to: Budget };
}

export interface CacheStatus {
  name: string;
  sizeBytes: number;
  budgetBytes: number;
  share: number;
  priority: number;
}

export interface MemoryStatus {
  level: MemoryLevel;
  /** Usage ratio of the latest sample (0 before the first check). */
  usage: number;
  driver: UsageDriver | null;
  usageByDriver: Usage['byDriver'] | null;
  budgetBytes: number;
  budgetSource: BudgetSource;
  configuredBudget: number | 'auto';
  thresholds: Thresholds;
  /** Probe readings; null before the first check. */
  process: ProcessMemory | null;
  system: SystemMemory | null;
  cgroup: CgroupMemory | null;
  gpu: GpuDevice[] | null;
  sampledAt: number | null;
  caches: CacheStatus[];
  backgroundOpen: boolean;
  background: GateState;
}

export interface MemoryCounters {
  checks: number;
  probeFailures: number;
  /** How often each level was entered. */
  transitions: Record<MemoryLevel, number>;
  /** Bytes the manager took from each cache, whatever the reason. */
  freedBytesByCache: Record<string, number>;
  freedBytesByReason: Record<MemoryEvictionReason, number>;
  /** Cache operations (purgeStale, setBudget, shrinkTo, clear) that threw, by cache. */
  cacheFailures: Record<string, number>;
  releasers: Record<string, { calls: number; failures: number; bytes: number }>;
  gcRuns: number;
  lastSample: MemorySample | null;
}

export interface MemoryManagerOptions {
  /** Reads memory.budget, memory.*Threshold, memory.shrinkTarget, memory.checkIntervalMs, memory.watchSystem. */
  config: Config;
  logger: Logger;
  /** Defaults to the host probe (process, /proc/meminfo, cgroup, nvidia-smi). */
  probe?: MemoryProbe;
  /** Forced collection; defaults to globalThis.gc when node runs with --expose-gc. null: never. */
  gc?: (() => void) | null;
  hysteresis?: number;
  /**
   * A releaser still running after this long is reported as failed and the next one starts. Checks
   * do not wait for releasers (see MemoryManager.whenReleased).
   */
  releaserTimeoutMs?: number;
}

/**
 * Watches memory against the host budget and acts on the policy of DESIGN.md: shrink caches at
 * warning, clear caches and call releasers at critical, and hold background work while either
 * lasts. It frees nothing itself beyond what caches and releasers give back.
 *
 * Within one check the level may rise (a shrink that was not enough escalates to critical) but
 * never falls: a level lasts at least until the next check, so relief from our own eviction does
 * not reopen background work in the same breath.
 *
 * A cache or releaser that throws is logged and counted, and the others are still served: one
 * broken component must not stop an emergency.
 *
 * Freed Buffers go back to glibc's malloc, which keeps chunks that sit below live ones on its heap
 * rather than returning them to the OS, so RSS may stay up after caches shrink or clear (warning
 * handling allows for this; see relieveWarning). As the mitigation the server process is started
 * with MALLOC_MMAP_THRESHOLD_=131072 (large Buffers get their own mappings, unmapped when freed)
 * or with jemalloc preloaded.
 */
export class MemoryManager {
  readonly background = new BackgroundGate();
  readonly thresholds: Thresholds;
  private readonly logger: Logger;
  private readonly probe: MemoryProbe;
  private readonly gc: (() => void) | null;
  private readonly watchSystem: boolean;
  private readonly intervalMs: number;
  private readonly releaserTimeoutMs: number;
  private readonly caches = new CacheRegistry();
  private releasers: Releaser[] = [];
  private readonly listeners: Listeners<MemoryEvents>;
  private configured: number | 'auto';
  private physical = os.totalmem();
  private cgroupLimit: number | null = null;
  private budget: Budget;
  private level: MemoryLevel = 'normal';
  private usage: Usage | null = null;
  private lastSample: MemorySample | null = null;
  private inFlight: Promise<MemoryStatus> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private probeFailing = false;
  /** Caches whose last operation threw; their next failure is not logged again. */
  private readonly failingCaches = new Set<string>();
  /**
   * Whether this critical episode (from entering critical until leaving it) has started its round
   * of releasers. Kept explicitly, not derived from the previous level: the level is already
   * critical before the emergency runs, so a check that failed in between must not skip them.
   */
  private releasedThisEpisode = false;
  /** The release round in progress; at most one runs at a time. */
  private releaseRound: Promise<void> | null = null;
  /** Usage that warning-level shrinking aims for in the current warning episode. */
  private shrinkFloor = 0;
  private readonly counters: Omit<MemoryCounters, 'lastSample'> = {
    checks: 0,
    probeFailures: 0,
    transitions: { normal: 0, warning: 0, critical: 0 },
    freedBytesByCache: {},
    freedBytesByReason: { stale: 0, budget: 0, warning: 0, critical: 0 },
    cacheFailures: {},
    releasers: {},
    gcRuns: 0,
  };

  constructor(options: MemoryManagerOptions) {
    const { config } = options;
    this.logger = options.logger.child({ component: 'memory' });
    this.probe = options.probe ?? new HostMemoryProbe({ logger: this.logger });
    this.gc = options.gc === undefined ? exposedGc() : options.gc;
    const warning = config.get('memory.warningThreshold');
    const shrinkTarget = config.get('memory.shrinkTarget');
    const hysteresis = options.hysteresis ?? DEFAULT_HYSTERESIS;
    if (!(hysteresis >= 0 && hysteresis < 1)) {
      throw new MemoryConfigError(
        `Memory hysteresis must be a fraction from 0 to 1, got ${String(hysteresis)}.`,
      );
    }
    this.thresholds = {
      warning,
      critical: config.get('memory.criticalThreshold'),
      shrinkTarget,
      // A shrink that reaches its target must be able to end the warning.
      hysteresis: Math.min(hysteresis, (warning - shrinkTarget) / 2),
    };
    this.watchSystem = config.get('memory.watchSystem');
    this.intervalMs = config.get('memory.checkIntervalMs');
    this.releaserTimeoutMs = options.releaserTimeoutMs ?? 10_000;
    this.configured = config.get('memory.budget');
    // Provisional until the first sample tells us about the cgroup.
    this.budget = this.budgetFor();
    this.listeners = new Listeners<MemoryEvents>((event, err) =>
      this.logger.error({ err, event }, 'A memory event listener threw'),
    );
  }

  on<K extends keyof MemoryEvents>(
    event: K,
    listener: (payload: MemoryEvents[K]) => void,
  ): () => void {
    return this.listeners.on(event, listener);
  }

  get currentLevel(): MemoryLevel {
    return this.level;
  }

  get budgetBytes(): number {
    return this.budget.bytes;
  }

  /** Puts a cache under the manager: its budget becomes share x host budget from now on. */
  registerCache(cache: ManagedCache, registration: CacheRegistration): () => void {
    const outcome = this.caches.add(cache, registration, this.budget.bytes);
    this.logger.debug(
      { cache: cache.name, ...registration, budgetBytes: cache.budgetBytes },
      'Cache registered',
    );
    this.recordCacheOutcomes([outcome], 'budget');
    return () => {
      this.caches.remove(cache);
    };
  }

  /** Releasers run one at a time, in registration order, once per critical episode. */
  registerReleaser(releaser: Releaser): () => void {
    this.releasers = [...this.releasers, releaser];
    return () => {
      this.releasers = this.releasers.filter((r) => r !== releaser);
    };
  }

  /** Changes `memory.budget` at run time ('auto': no configured limit) and re-sizes the caches. */
  setConfiguredBudget(bytes: number | 'auto'): Budget {
    if (bytes !== 'auto' && !(Number.isSafeInteger(bytes) && bytes > 0)) {
      throw new MemoryConfigError(
        `memory.budget must be "auto" or a positive whole number of bytes, got ${JSON.stringify(bytes)}.`,
      );
    }
    this.configured = bytes;
    this.applyBudget();
    return this.budget;
  }

  /**
   * Samples the probes and acts on the result. Also meant to be awaited before memory-heavy steps,
   * so it resolves once the level is decided and the caches are shrunk or cleared; releasers started
   * on entering critical run on without it (see whenReleased), or interactive work would wait up to
   * releaserTimeoutMs per releaser. Concurrent callers share one check.
   */
  check(): Promise<MemoryStatus> {
    this.inFlight ??= this.runCheck()
      .then(
        (status) => {
          if (this.probeFailing) this.logger.info('Memory checks work again');
          this.probeFailing = false;
          return status;
        },
        (err: unknown) => {
          this.counters.probeFailures++;
          // A broken probe fails on every tick; say so once until it recovers.
          if (!this.probeFailing) this.logger.error({ err }, 'Memory check failed');
          this.probeFailing = true;
          throw err;
        },
      )
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  /**
   * Resolves when the release round in progress (if any) has finished and its outcomes are logged
   * and counted; at once when none is running. Never rejects.
   */
  whenReleased(): Promise<void> {
    return this.releaseRound ?? Promise.resolve();
  }

  /** Checks now and then every memory.checkIntervalMs; the timer does not keep the process alive. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    this.tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  status(): MemoryStatus {
    const sample = this.lastSample;
    return {
      level: this.level,
      usage: this.usage?.ratio ?? 0,
      driver: this.usage?.driver ?? null,
      usageByDriver: this.usage ? { ...this.usage.byDriver } : null,
      budgetBytes: this.budget.bytes,
      budgetSource: this.budget.source,
      configuredBudget: this.configured,
      thresholds: { ...this.thresholds },
      process: sample?.process ?? null,
      system: sample?.system ?? null,
      cgroup: sample?.cgroup ?? null,
      gpu: sample?.gpu ?? null,
      sampledAt: sample?.at ?? null,
      caches: this.caches.list().map(({ cache, share, priority }) => ({
        name: cache.name,
        sizeBytes: cache.sizeBytes,
        budgetBytes: cache.budgetBytes,
        share,
        priority,
      })),
      backgroundOpen: this.background.isOpen,
      background: this.background.state,
    };
  }

  metrics(): MemoryCounters {
    const c = this.counters;
    return {
      checks: c.checks,
      probeFailures: c.probeFailures,
      transitions: { ...c.transitions },
      freedBytesByCache: { ...c.freedBytesByCache },
      freedBytesByReason: { ...c.freedBytesByReason },
      cacheFailures: { ...c.cacheFailures },
      releasers: Object.fromEntries(
        Object.entries(c.releasers).map(([name, counts]) => [name, { ...counts }]),
      ),
      gcRuns: c.gcRuns,
      lastSample: this.lastSample,
    };
  }

  private tick(): void {
    // check() has logged and counted the failure; the timer just tries again next time.
    this.check().catch(() => {});
  }

  private async runCheck(): Promise<MemoryStatus> {
    this.counters.checks++;
    const usage = await this.sample();
    this.recordCacheOutcomes(this.caches.purgeStale(), 'stale');
    const entered = this.level;
    this.moveTo(nextLevel(this.level, usage.ratio, this.thresholds), usage);

    if (this.level === 'warning') {
      if (entered !== 'warning') this.shrinkFloor = this.thresholds.shrinkTarget;
      await this.relieveWarning(usage);
    }
    if (this.level === 'critical') {
      this.emergency();
      await this.sample();
    }
    return this.status();
  }

  /**
   * Takes a sample, follows budget changes it reveals, and measures usage against the budget. Usage
   * is measured before anything is updated: a reading measureUsage rejects leaves the budget, the
   * level and the status as they were, and the check fails as a probe failure.
   */
  private async sample(): Promise<Usage> {
    const sample = await this.probe.sample();
    const cgroupLimit = sample.cgroup?.limitBytes ?? null;
    const budget = this.budgetFor(sample.system.totalBytes, cgroupLimit);
    const usage = measureUsage(sample, budget.bytes, this.watchSystem);
    this.lastSample = sample;
    this.physical = sample.system.totalBytes;
    this.cgroupLimit = cgroupLimit;
    this.applyBudget();
    this.usage = usage;
    this.background.update(this.level, usage.ratio);
    return usage;
  }

  private budgetFor(physical = this.physical, cgroupLimit = this.cgroupLimit): Budget {
    return resolveBudget({ configured: this.configured, cgroupLimit, physical });
  }

  private applyBudget(): void {
    const next = this.budgetFor();
    const from = this.budget;
    if (next.bytes === from.bytes && next.source === from.source) return;
    this.budget = next;
    this.logger.info(
      { fromBytes: from.bytes, toBytes: next.bytes, fromSource: from.source, source: next.source },
      'Memory budget changed; cache budgets re-sized',
    );
    this.listeners.emit('budget', { from, to: next });
    this.recordCacheOutcomes(this.caches.resize(next.bytes), 'budget');
  }

  private moveTo(to: MemoryLevel, usage: Usage): void {
    const from = this.level;
    this.level = to;
    this.background.update(to, usage.ratio);
    if (from === to) return;
    if (to !== 'critical') this.releasedThisEpisode = false;
    this.counters.transitions[to]++;
    const fields = {
      from,
      to,
      usage: round(usage.ratio),
      driver: usage.driver,
      usageByDriver: roundAll(usage.byDriver),
      budgetBytes: this.budget.bytes,
      budgetSource: this.budget.source,
      background: this.background.state,
    };
    if (to === 'critical') {
      this.logger.error(fields, 'Memory usage reached the critical threshold');
    } else if (to === 'warning' && LEVEL_RANK[from] < LEVEL_RANK.warning) {
      this.logger.warn(fields, 'Memory usage crossed the warning threshold');
    } else {
      this.logger.info(fields, `Memory pressure eased to ${to}`);
    }
    this.listeners.emit('level', { from, to, usage: usage.ratio, driver: usage.driver });
  }

  /**
   * Frees (usage - floor) x budget from the caches, lowest priority first, and re-probes. The floor
   * starts at the shrink target when warning is entered. RSS does not always follow a shrink
   * (glibc keeps freed heap chunks that sit below live ones), so afterwards the floor becomes the
   * usage the shrink achieved: later checks in the same warning take back only new growth instead
   * of draining every cache to chase memory that caches no longer hold.
   */
  private async relieveWarning(usage: Usage): Promise<void> {
    const floor = this.shrinkFloor;
    if (usage.ratio <= floor) return;
    const wanted = Math.round((usage.ratio - floor) * this.budget.bytes);
    const freed = this.recordCacheOutcomes(this.caches.shrinkBy(wanted), 'warning');
    if (freed === 0) {
      this.shrinkFloor = usage.ratio;
      return;
    }
    this.collectGarbage();
    const after = await this.sample();
    this.shrinkFloor = Math.max(this.thresholds.shrinkTarget, after.ratio);
    this.logger.info(
      {
        wantedBytes: wanted,
        freedBytes: freed,
        usageBefore: round(usage.ratio),
        usageAfter: round(after.ratio),
        target: round(floor),
      },
      'Shrank caches toward the memory target',
    );
    // Not enough: escalate now rather than a whole interval later.
    if (nextLevel(this.level, after.ratio, this.thresholds) === 'critical') {
      this.moveTo('critical', after);
    }
  }

  /**
   * Clears every cache (each critical check: interactive work may have refilled them) and, once per
   * critical episode, starts the releasers. They are not re-run on every tick while critical: what
   * they free (idle sessions) was reloaded since only because someone used it.
   */
  private emergency(): void {
    const freed = this.recordCacheOutcomes(this.caches.clearAll(), 'critical');
    // A round still running from an earlier episode is not doubled; a later check starts this one's.
    const startsRound = !this.releasedThisEpisode && this.releaseRound === null;
    if (startsRound) this.startReleaseRound();
    if (startsRound || freed > 0) this.collectGarbage();
  }

  /** Runs the releasers one at a time, detached from the check; collects what they let go. */
  private startReleaseRound(): void {
    this.releasedThisEpisode = true;
    if (this.releasers.length === 0) return;
    this.releaseRound = releaseAll(this.releasers, this.releaserTimeoutMs)
      .then((outcomes) => {
        this.recordReleases(outcomes);
        this.collectGarbage();
      })
      // Nobody awaits the round, so nothing may escape it: the gc hook, at least, can throw.
      .catch((err: unknown) => this.logger.error({ err }, 'Release round failed'))
      .finally(() => {
        this.releaseRound = null;
      });
  }

  private recordReleases(outcomes: ReleaseOutcome[]): void {
    for (const outcome of outcomes) {
      const counts = (this.counters.releasers[outcome.releaser] ??= {
        calls: 0,
        failures: 0,
        bytes: 0,
      });
      counts.calls++;
      if (outcome.ok) {
        counts.bytes += outcome.bytes;
        this.logger.info(
          { releaser: outcome.releaser, bytes: outcome.bytes },
          'Releaser gave memory back',
        );
        this.listeners.emit('released', { releaser: outcome.releaser, bytes: outcome.bytes });
      } else {
        counts.failures++;
        this.logger.error({ releaser: outcome.releaser, err: outcome.error }, 'Releaser failed');
      }
    }
  }

  private collectGarbage(): void {
    if (!this.gc) return;
    this.gc();
    this.counters.gcRuns++;
  }

  /**
   * Counts, logs and announces what caches gave back; returns the total. A failing cache is
   * counted every time but logged once until one of its operations succeeds again: purgeStale runs
   * on every tick.
   */
  private recordCacheOutcomes(outcomes: CacheOutcome[], reason: MemoryEvictionReason): number {
    let total = 0;
    for (const outcome of outcomes) {
      const { cache } = outcome;
      if (!outcome.ok) {
        this.counters.cacheFailures[cache] = (this.counters.cacheFailures[cache] ?? 0) + 1;
        if (!this.failingCaches.has(cache)) {
          this.logger.error(
            { cache, operation: CACHE_OPERATION[reason], reason, err: outcome.error },
            'Cache operation failed',
          );
        }
        this.failingCaches.add(cache);
        continue;
      }
      if (this.failingCaches.delete(cache)) this.logger.info({ cache }, 'Cache works again');
      const { bytes } = outcome;
      if (bytes <= 0) continue;
      total += bytes;
      this.counters.freedBytesByCache[cache] =
        (this.counters.freedBytesByCache[cache] ?? 0) + bytes;
      this.counters.freedBytesByReason[reason] += bytes;
      const fields = { cache, bytes, reason };
      // Age eviction happens on every tick in normal operation; the rest is news.
      if (reason === 'stale') this.logger.debug(fields, 'Cache entries expired');
      else this.logger.info(fields, 'Cache evicted entries');
      this.listeners.emit('evicted', { cache, bytes, reason });
    }
    return total;
  }
}

/**
 * globalThis.gc when node runs with --expose-gc, called twice: a full collection hands
 * Buffer/ArrayBuffer backing stores to a concurrent sweeper, and the second one waits for that
 * sweep, so the re-probe that follows sees the memory returned to the OS.
 */
function exposedGc(): (() => void) | null {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') return null;
  return () => {
    gc();
    gc();
  };
}

function round(ratio: number): number {
  return Math.round(ratio * 10_000) / 10_000;
}

function roundAll(byDriver: Usage['byDriver']): Usage['byDriver'] {
  return {
    process: round(byDriver.process),
    cgroup: byDriver.cgroup === null ? null : round(byDriver.cgroup),
    system: byDriver.system === null ? null : round(byDriver.system),
  };
}
