import { MemoryPressureError } from './errors.js';
import type { MemoryLevel } from './types.js';

/** open: run; paused (warning): wait; refusing (critical): turn new work away. */
export type GateState = 'open' | 'paused' | 'refusing';

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * The one switch background work (prefetch, batch embedding) consults before it starts. The memory
 * manager moves it; interactive work never asks it.
 */
export class BackgroundGate {
  private level: MemoryLevel = 'normal';
  private usage = 0;
  private readonly waiters = new Set<Waiter>();

  get state(): GateState {
    return this.level === 'normal' ? 'open' : this.level === 'warning' ? 'paused' : 'refusing';
  }

  /** True when background work may start now; never throws. */
  get isOpen(): boolean {
    return this.level === 'normal';
  }

  /** How many callers are parked in whenOpen(). */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Throws a MemoryPressureError naming the level and usage unless work may start now. */
  assertOpen(): void {
    const refusal = this.refusal();
    if (refusal) throw refusal;
  }

  /**
   * Resolves when background work may start: at once when open, later when a pause ends. Rejects
   * with MemoryPressureError when the level is (or becomes) critical, so queued work is dropped
   * rather than started the moment pressure eases; and with the signal's reason on abort.
   */
  whenOpen(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.isOpen) return Promise.resolve();
    if (this.level === 'critical') return Promise.reject(this.refusal()!);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters.delete(waiter);
        reject(abortReason(signal!));
      };
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Called by the memory manager on every check. */
  update(level: MemoryLevel, usage: number): void {
    this.level = level;
    this.usage = usage;
    if (level === 'warning') return;
    const waiters = [...this.waiters];
    this.waiters.clear();
    const refusal = this.refusal();
    for (const waiter of waiters) {
      if (refusal) waiter.reject(refusal);
      else waiter.resolve();
    }
  }

  private refusal(): MemoryPressureError | null {
    return this.level === 'normal' ? null : new MemoryPressureError(this.level, this.usage);
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('Aborted');
}
