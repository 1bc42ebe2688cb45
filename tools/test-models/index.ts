/**
 * Generated ONNX test models with the exact tensor contracts of ../../../shared/MODELS.md.
 *
 * Tests and benches: `const models = await ensureTestModels()` (generated once per generator
 * version under os.tmpdir()/sam-annotator-test-models/<hash>/; `models.decoderMulti` etc. are
 * absolute paths). By hand: `npx tsx tools/test-models/make.ts --out DIR [--heavy-gflops N]
 * [--measure]`. The models encode colour, not semantics: a click selects the region of similar
 * colour around it (see prompt-logits.ts); test-support.ts draws pictures with known masks.
 */
export {
  TEST_MODEL_FILES,
  buildTestModelFiles,
  testModelPaths,
  writeTestModels,
} from './catalog.js';
export type { TestModelOptions, TestModelPaths, TestModelRole } from './catalog.js';
export { DEFAULT_TEST_MODEL_ROOT, ensureTestModels, testModelVersion } from './ensure.js';
export { buildDecoderA, buildDecoderEdgeSam, buildDecoderSam2 } from './decoders.js';
export type { DecoderAOptions } from './decoders.js';
export { buildEncoderA1, buildEncoderA2, buildEncoderSam2 } from './encoders.js';
export { DEFAULT_HEAVY_GFLOPS, buildHeavyEncoderA2, heavyEncoderPlan } from './heavy-encoder.js';
export type { HeavyEncoderPlan } from './heavy-encoder.js';
export {
  buildExternalDataEncoder,
  buildUnrelatedNames,
  buildWrongEmbeddingEncoder,
  truncatedBytes,
} from './broken-models.js';
export { timeA2Encoder } from './measure.js';
export type { EncoderTiming } from './measure.js';
export * from './model-frame.js';
