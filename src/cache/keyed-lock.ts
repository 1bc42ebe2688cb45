/**
 * Runs async tasks one at a time per key, in call order; tasks on different keys run freely.
 * The disk cache uses it so that a read, a write and a delete of one entry never interleave.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** True while a task for `key` runs or waits. */
  isBusy(key: string): boolean {
    return this.tails.has(key);
  }

  /** The keys with a task running or waiting. */
  busyKeys(): string[] {
    return [...this.tails.keys()];
  }

  /**
   * Queues `task` behind the tasks already queued for `key`. The queue position is taken
   * synchronously, so a task queued later in the same tick runs after this one.
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    // A failed task must not block the ones behind it.
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
