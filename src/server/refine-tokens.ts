import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { LowResLogits } from '../model/segmenter.js';
import { badRequest } from './http-error.js';

interface Held {
  imageId: number;
  logits: LowResLogits;
}

/**
 * The low-res logits of recent candidates, kept on the server under opaque tokens so that a
 * refining click sends 20 bytes instead of 256 KB of floats. Bounded by count (each entry is a
 * 256x256 float32 grid); an expired token gets a clear 400 and the page starts a new prompt.
 */
export class RefineTokens {
  private readonly held: LRUCache<string, Held>;

  constructor(maxEntries = 64) {
    this.held = new LRUCache<string, Held>({ max: maxEntries });
  }

  issue(imageId: number, logits: LowResLogits): string {
    const token = randomBytes(12).toString('base64url');
    this.held.set(token, { imageId, logits });
    return token;
  }

  /** The logits behind a token, checked to belong to this image. */
  take(imageId: number, token: string): LowResLogits {
    const held = this.held.get(token);
    if (!held) {
      throw badRequest(
        'body.refineToken is unknown or expired; start the prompt again.',
        'body.refineToken',
      );
    }
    if (held.imageId !== imageId) {
      throw badRequest(
        `body.refineToken belongs to image ${held.imageId}, not ${imageId}.`,
        'body.refineToken',
      );
    }
    return held.logits;
  }

  clear(): void {
    this.held.clear();
  }
}
