import { createHash } from 'node:crypto';
import type { LowResLogits, Prompt } from '../segmenter.js';

/**
 * A prompt as a cache key. Point order is kept: SAM's decoder reads the points as a sequence, so
 * the same clicks in another order can give another mask. Coordinates are rounded to 1e-3 pixel
 * (a click does not move by less, and float noise from view transforms must not miss the cache);
 * the refinement logits are identified by their size and a hash of their values.
 */
export function canonicalPrompt(prompt: Prompt): string {
  const points = prompt.points.map((p) => `${num(p.x)},${num(p.y)},${p.label}`).join(';');
  const box = prompt.box
    ? `${num(prompt.box.x0)},${num(prompt.box.y0)},${num(prompt.box.x1)},${num(prompt.box.y1)}`
    : '-';
  const mask = prompt.maskInput ? logitsDigest(prompt.maskInput) : '-';
  return `p:${points}|b:${box}|m:${mask}`;
}

/** Rounded to 1e-3; -0 is 0. Non-finite values stay visible (the segmenter refuses them). */
function num(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Math.round(value * 1000) / 1000;
  return String(rounded === 0 ? 0 : rounded);
}

function logitsDigest(logits: LowResLogits): string {
  const { data } = logits;
  const digest = createHash('sha256')
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest('base64url');
  return `${logits.width}x${logits.height}:${digest}`;
}
