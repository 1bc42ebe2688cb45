/** Longest side of the SAM 1 family encoder input (contract A). */
export const MODEL_INPUT_SIDE = 1024;

/**
 * Contract A input size: the reference's ResizeLongestSide rule (segment-anything
 * `utils/transforms.py`): scale = 1024 / max(h, w), newH = floor(h * scale + 0.5),
 * newW = floor(w * scale + 0.5). It MUST match geometry/'s model-space rule, which maps prompts
 * into this frame; it is duplicated here only until the lead merges the two. One deliberate
 * difference from the reference: a side never rounds to 0 (a 1 x 3000 strip would give 0 rows
 * and crash the encoder), it stays at least 1.
 */
export function modelInputSize(
  width: number,
  height: number,
  side = MODEL_INPUT_SIDE,
): { width: number; height: number } {
  const scale = side / Math.max(width, height);
  return {
    width: Math.max(1, Math.floor(width * scale + 0.5)),
    height: Math.max(1, Math.floor(height * scale + 0.5)),
  };
}
