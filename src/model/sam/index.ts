/** Public API of model/sam/: the SAM ONNX backend (contracts A and B of MODELS.md). */
export {
  SamSegmenter,
  openSamSegmenter,
  type SamModelFiles,
  type SamSegmenterOptions,
} from './sam-segmenter.js';
export {
  checkPair,
  detectDecoder,
  detectEncoder,
  type DecoderContract,
  type EncoderContract,
  type ModelFamily,
} from './contract.js';
export { EmbeddingError, ModelContractError, ModelLoadError, type ModelRole } from './errors.js';
export {
  EXECUTION_PROVIDERS,
  ProviderListError,
  SessionFactory,
  parseExecutionProviders,
  sessionSettingsFrom,
  type ExecutionProviderName,
  type SessionSettings,
} from './providers.js';
export { IdleSessionReleaser } from './idle-releaser.js';
export { MAX_PROMPT_POINTS } from './prompt.js';
export {
  declaredTensors,
  describeTensors,
  type DeclaredTensors,
  type TensorInfo,
} from './tensor-info.js';
