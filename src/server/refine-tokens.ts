import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { LowResLogits } from '../model/segmenter.js';
import { badRequest } from './http-error.js';

interface Held {
  imageId: number;
  logits: LowResLogits;
}

/** A token's random bytes (16 base64url characters). */
const TOKEN_BYTES = 12;
/**
 * Tokens drawn from one call for random bytes. Every predict answer issues one token per
 * candidate, and a call into OpenSSL on that path cost ~60-80 µs once the decoder's run had
 * evicted it from the CPU caches (5 µs hot); one call per 256 tokens takes it off the path.
 */
const TOKENS_PER_DRAW = 256;

/**
 * The low-res logits of recent candidates, kept on the server under opaque tokens so that a
 * refining click sends 20 bytes instead of 256 KB of floats. Bounded by count (each entry is a
 * 256x256 float32 grid); an expired token gets a clear 400 and the page starts a new prompt.
 */
export class RefineTokens {
  private readonly held: LRUCache<string, Held>;
  private randomPool = Buffer.alloc(0);
  private poolUsed = 0;

  constructor(maxEntries = 64) {
    this.held = new LRUCache<string, Held>({ max: maxEntries });
  }

  issue(imageId: number, logits: LowResLogits): string {
    const token = this.nextToken();
    this.held.set(token, { imageId, logits });
    return token;
  }

  private nextToken(): string {
    if (this.poolUsed + TOKEN_BYTES > this.randomPool.length) {
      this.randomPool = randomBytes(TOKEN_BYTES * TOKENS_PER_DRAW);
      this.poolUsed = 0;
    }
    const start = this.poolUsed;
    this.poolUsed += TOKEN_BYTES;
    return this.randomPool.toString('base64url', start, this.poolUsed);
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
