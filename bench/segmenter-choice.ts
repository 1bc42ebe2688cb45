/**
 * The segmenter a model benchmark measures: the generated test pair it names (by default the
 * heavy encoder, about a MobileSAM encoder's cost, so that the figures mean something), or the
 * model `--model NAME|DIR|FILE` selects, opened the way every command opens it.
 */
import { defaultConfig } from '../src/config/index.js';
import { openSegmenter } from '../src/model/open-segmenter.js';
import { openSamSegmenter } from '../src/model/sam/index.js';
import type { Segmenter } from '../src/model/segmenter.js';
import { ensureTestModels, type TestModelRole } from '../tools/test-models/index.js';
import { stringFlag } from './sam-bench.js';

export async function benchSegmenter(
  args: string[],
  encoder: TestModelRole,
  decoder: TestModelRole,
): Promise<{ segmenter: Segmenter; label: string }> {
  const spec = stringFlag(args, '--model');
  if (spec !== undefined) {
    const segmenter = await openSegmenter(spec, { config: defaultConfig() });
    return { segmenter, label: segmenter.id };
  }
  const models = await ensureTestModels();
  const label = `test ${encoder}+${decoder}`;
  const segmenter = await openSamSegmenter(
    { encoderPath: models[encoder], decoderPath: models[decoder] },
    { id: label.replace(/[ +]/g, '-') },
  );
  return { segmenter, label };
}
