/**
 * A small observable state: `set` replaces top-level fields and tells each listener which
 * fields changed, so a panel re-renders only for the parts it shows.
 */
export type Listener<S> = (state: Readonly<S>, changed: ReadonlySet<keyof S>) => void;

export class Store<S extends object> {
  private current: S;
  private readonly listeners = new Set<Listener<S>>();

  constructor(initial: S) {
    this.current = initial;
  }

  get state(): Readonly<S> {
    return this.current;
  }

  set(patch: Partial<S>): void {
    const changed = new Set<keyof S>();
    for (const key of Object.keys(patch) as (keyof S)[]) {
      if (!Object.is(this.current[key], patch[key])) changed.add(key);
    }
    if (changed.size === 0) return;
    this.current = { ...this.current, ...patch };
    for (const listener of [...this.listeners]) listener(this.current, changed);
  }

  /** Calls `listener` on every change; with `keys`, only when one of them changed. */
  subscribe(listener: Listener<S>, keys?: readonly (keyof S)[]): () => void {
    const wrapped: Listener<S> = keys
      ? (state, changed) => {
          if (keys.some((k) => changed.has(k))) listener(state, changed);
        }
      : listener;
    this.listeners.add(wrapped);
    return () => this.listeners.delete(wrapped);
  }
}
