import { BudgetedCache, type CacheStats } from '../../cache/index.js';
import type { Candidate, Prompt } from '../segmenter.js';
import { canonicalPrompt } from './prompt-key.js';

export interface PredictionCacheOptions {
  /** cache.predictions.maxEntries (50: the seed tool's count). */
  maxEntries: number;
  /** cache.predictions.ttlSeconds in milliseconds; 0 for none. */
  ttlMs: number;
  /** Starting budget; the memory manager replaces it once it registers `cache`. */
  budgetBytes: number;
}

export interface PredictionCacheStats extends CacheStats {
  /** Entries dropped because their image changed or their model was replaced. */
  invalidated: number;
}

interface Prediction {
  modelId: string;
  imageKey: string;
  candidates: readonly Candidate[];
}

/** Room for the objects around the masks, so an empty answer is not free. */
const ENTRY_OVERHEAD = 256;

/**
 * Answers already given, by (model id, image content key, canonical prompt): an undo followed by
 * the same click, or a client retry, costs nothing. Least recently used entries go first, within
 * cache.predictions.maxEntries and the byte budget the memory manager gives 'predictions'.
 *
 * Keys name the content of the image and the model, so a changed image or model can never be
 * answered from here; invalidateImage/invalidateModel also drop those entries at once rather
 * than leaving them to age out. Candidates are shared with every caller that gets them: treat
 * them as read-only.
 */
export class PredictionCache {
  readonly cache: BudgetedCache<Prediction>;
  private invalidated = 0;

  constructor(options: PredictionCacheOptions) {
    this.cache = new BudgetedCache<Prediction>({
      name: 'predictions',
      budgetBytes: options.budgetBytes,
      maxEntries: options.maxEntries,
      ttlMs: options.ttlMs,
      sizeOf: (prediction) =>
        prediction.candidates.reduce(
          (sum, c) =>
            sum +
            // The bitmap is made on first use; count it as made (h x w bytes) without making it.
            c.rle.size[0] * c.rle.size[1] +
            (c.lowRes?.data.byteLength ?? 0) +
            c.rle.counts.length * 2,
          ENTRY_OVERHEAD,
        ),
    });
  }

  get(modelId: string, imageKey: string, prompt: Prompt): readonly Candidate[] | undefined {
    return this.cache.get(predictionKeyOf(modelId, imageKey, prompt))?.candidates;
  }

  /** Whether the answer was kept (one larger than the whole budget is not). */
  set(
    modelId: string,
    imageKey: string,
    prompt: Prompt,
    candidates: readonly Candidate[],
  ): boolean {
    return this.cache.set(predictionKeyOf(modelId, imageKey, prompt), {
      modelId,
      imageKey,
      candidates,
    });
  }

  /** Drops the answers for one version of an image (its content key); returns how many. */
  invalidateImage(imageKey: string): number {
    return this.dropWhere((p) => p.imageKey === imageKey);
  }

  /** Drops every answer of a model; returns how many. */
  invalidateModel(modelId: string): number {
    return this.dropWhere((p) => p.modelId === modelId);
  }

  stats(): PredictionCacheStats {
    return { ...this.cache.stats(), invalidated: this.invalidated };
  }

  private dropWhere(matches: (prediction: Prediction) => boolean): number {
    let dropped = 0;
    for (const key of this.cache.keys()) {
      const prediction = this.cache.peek(key);
      if (prediction && matches(prediction) && this.cache.delete(key)) dropped++;
    }
    this.invalidated += dropped;
    return dropped;
  }
}

export function predictionKeyOf(modelId: string, imageKey: string, prompt: Prompt): string {
  return `${modelId}\u0000${imageKey}\u0000${canonicalPrompt(prompt)}`;
}
