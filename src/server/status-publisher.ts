import type { ServerEvents } from './api-contract.js';
import type { ServerContext } from './server-context.js';

type Sources = Pick<ServerContext, 'memory' | 'engine' | 'images' | 'hub'>;

function memoryEvent(ctx: Sources): ServerEvents['memory'] {
  const status = ctx.memory.status();
  const gpus = status.gpu ?? [];
  return {
    level: status.level,
    usedBytes: Math.round(status.usage * status.budgetBytes),
    budgetBytes: status.budgetBytes,
    ratio: status.usage,
    gpu:
      gpus.length > 0
        ? {
            usedBytes: gpus.reduce((sum, g) => sum + g.usedBytes, 0),
            totalBytes: gpus.reduce((sum, g) => sum + g.totalBytes, 0),
          }
        : null,
  };
}

function cacheEvent(ctx: Sources): ServerEvents['cache'] {
  const stats = ctx.engine.stats();
  const ram = stats.embeddings.ram;
  const disk = stats.embeddings.disk;
  const predictions = stats.predictions;
  const embeddingHits = ram.hits + ram.weakHits + disk.hits;
  // A lookup that missed RAM and hit disk counts once, as a hit.
  const embeddingMisses = Math.max(0, ram.misses - disk.hits);
  const hits = embeddingHits + predictions.hits;
  const lookups = hits + embeddingMisses + predictions.misses;
  return {
    embeddings: {
      hits: embeddingHits,
      misses: embeddingMisses,
      bytes: ram.sizeBytes,
      entries: ram.entries,
    },
    predictions: {
      hits: predictions.hits,
      misses: predictions.misses,
      entries: predictions.entries,
    },
    hitRate: lookups > 0 ? hits / lookups : 0,
  };
}

function prefetchEvent(ctx: Sources): ServerEvents['prefetch'] {
  const { queue, prefetch } = ctx.engine.stats();
  return {
    queued: queue.queued.prefetch + queue.queued.onScreen,
    running: prefetch.active.length,
    done: prefetch.completed,
  };
}

/**
 * Publishes memory, cache and prefetch state on a timer while at least one page listens, and at
 * once when the memory level changes (the critical banner must not wait for the next tick).
 */
export function startStatusPublisher(ctx: Sources, intervalMs: number): () => void {
  const publish = (): void => {
    if (ctx.hub.clientCount === 0) return;
    ctx.hub.publish('memory', memoryEvent(ctx));
    ctx.hub.publish('cache', cacheEvent(ctx));
    ctx.hub.publish('prefetch', prefetchEvent(ctx));
  };
  const timer = setInterval(publish, intervalMs);
  timer.unref();
  const stopLevel = ctx.memory.on('level', () => ctx.hub.publish('memory', memoryEvent(ctx)));
  return () => {
    clearInterval(timer);
    stopLevel();
  };
}

export { memoryEvent, cacheEvent, prefetchEvent };
