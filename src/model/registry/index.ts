export * from './errors.js';
export {
  KNOWN_MODELS,
  downloadSize,
  downloadUrl,
  findKnownModel,
  type ModelContract,
  type ModelDownload,
  type ModelEntry,
  type ModelFamily,
} from './known-models.js';
export { defaultModelsDir, resolveModelsDir } from './models-dir.js';
export { hashFile, type FileDigest } from './hash-file.js';
export {
  downloadFile,
  DEFAULT_IDLE_TIMEOUT_MS,
  MAX_REDIRECTS,
  type DownloadOptions,
  type DownloadResult,
} from './download.js';
export {
  extractZip,
  DEFAULT_EXTRACT_LIMITS,
  type ExtractLimits,
  type ExtractedFile,
  type ExtractOptions,
} from './extract-zip.js';
export {
  MANIFEST_FILE,
  fileIn,
  readManifest,
  writeManifest,
  type ManifestFileRecord,
  type ManifestSource,
  type ModelManifest,
} from './manifest.js';
export {
  listInstalled,
  findInstalled,
  type InstalledModel,
  type InstalledListing,
} from './installed.js';
export { pull, type PullOptions, type PullProgress, type PullResult } from './pull.js';
export {
  verifyModel,
  verifyAllInstalled,
  checkManifestFiles,
  describeProblems,
  type CheckMode,
  type FileCheck,
  type FileStatus,
  type VerifyOptions,
  type VerifyReport,
} from './verify.js';
export { resolveModel, type ResolvedModel, type ResolveOptions } from './resolve.js';
