export interface WeakValueCacheStats {
  /** Keys tracked, including values already collected whose cleanup has not run yet. */
  entries: number;
  hits: number;
  misses: number;
  /** Entries removed because the garbage collector reclaimed their value. */
  collected: number;
}

interface Held {
  key: string;
  ref: WeakRef<object>;
}

/**
 * A map from keys to objects that does not keep the objects alive: an entry answers for as long
 * as something else holds its value, and a FinalizationRegistry removes it once the value has
 * been collected. It holds no memory budget of its own because it holds no values.
 */
export class WeakValueCache<V extends object> {
  private readonly refs = new Map<string, WeakRef<V>>();
  private readonly registry = new FinalizationRegistry<Held>((held) => this.reclaimed(held));
  private hits = 0;
  private misses = 0;
  private collected = 0;

  get size(): number {
    return this.refs.size;
  }

  set(key: string, value: V): void {
    const current = this.refs.get(key);
    if (current?.deref() === value) return;
    if (current) this.registry.unregister(current);
    const ref = new WeakRef(value);
    this.refs.set(key, ref);
    // The WeakRef doubles as the unregister token; neither it nor the held record reaches value.
    this.registry.register(value, { key, ref }, ref);
  }

  get(key: string): V | undefined {
    const value = this.peek(key);
    if (value === undefined) this.misses++;
    else this.hits++;
    return value;
  }

  /** Looks without counting. */
  peek(key: string): V | undefined {
    const ref = this.refs.get(key);
    const value = ref?.deref();
    // Collected, cleanup not run yet: drop the entry now rather than wait for it.
    if (ref && value === undefined) this.delete(key);
    return value;
  }

  has(key: string): boolean {
    return this.peek(key) !== undefined;
  }

  delete(key: string): boolean {
    const ref = this.refs.get(key);
    if (!ref) return false;
    this.registry.unregister(ref);
    this.refs.delete(key);
    return true;
  }

  clear(): void {
    for (const ref of this.refs.values()) this.registry.unregister(ref);
    this.refs.clear();
  }

  keys(): string[] {
    return [...this.refs.keys()];
  }

  stats(): WeakValueCacheStats {
    return {
      entries: this.refs.size,
      hits: this.hits,
      misses: this.misses,
      collected: this.collected,
    };
  }

  private reclaimed({ key, ref }: Held): void {
    // The key may hold a newer value by now; only the collected one's entry goes.
    if (this.refs.get(key) !== ref) return;
    this.refs.delete(key);
    this.collected++;
  }
}
