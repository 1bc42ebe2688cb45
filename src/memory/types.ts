/**
 * What the memory manager needs from a cache. Caches never pick their own budget: the manager
 * gives each one a share of the host budget and shrinks or clears them under pressure.
 */
export interface ManagedCache {
  readonly name: string;
  /** Bytes held now. */
  readonly sizeBytes: number;
  /** Bytes allowed now. */
  readonly budgetBytes: number;
  /** Sets the budget and evicts least-recently-used entries until the cache fits. */
  setBudget(bytes: number): void;
  /** Evicts least-recently-used entries until at most `bytes` are held; returns bytes freed. */
  shrinkTo(bytes: number): number;
  /** Drops every entry; returns bytes freed. */
  clear(): number;
  /** Drops entries older than their TTL; returns bytes freed. */
  purgeStale(): number;
}

/**
 * Something that can give memory back on demand (an idle model session, a pool). Called, in
 * registration order, when usage reaches the critical threshold.
 */
export interface Releaser {
  readonly name: string;
  /** Frees what it can; resolves to the bytes it believes it freed (0 when unknown). */
  release(): Promise<number> | number;
}

export type MemoryLevel = 'normal' | 'warning' | 'critical';
