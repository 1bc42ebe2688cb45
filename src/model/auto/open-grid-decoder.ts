import type { Config } from '../../config/index.js';
import type { Logger } from '../../log/logger.js';
import { SamSegmenter } from '../sam/sam-segmenter.js';
import type { Segmenter } from '../segmenter.js';
import { PredictGridDecoder, type GridDecoder } from './grid-decoder.js';
import { SamGridDecoder, decodesGrid } from './sam-grid-decoder.js';

/**
 * The grid decoding for `segmenter`: SAM contract A and B pairs on a decoder session of their
 * own (config gives its threads), anything else through predict(). Release it when done.
 */
export async function openGridDecoder(
  segmenter: Segmenter,
  options: { config?: Config; logger?: Logger } = {},
): Promise<GridDecoder> {
  if (segmenter instanceof SamSegmenter && decodesGrid(segmenter)) {
    return SamGridDecoder.open(segmenter, options);
  }
  return new PredictGridDecoder(segmenter);
}
