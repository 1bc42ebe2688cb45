import type { Config } from '../config/index.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { DEFAULT_SEGMENTER_ID, DefaultSegmenter } from './default/index.js';
import { resolveModel, resolveModelsDir } from './registry/index.js';
import { openSamSegmenter } from './sam/index.js';
import type { Segmenter } from './segmenter.js';

export interface OpenSegmenterOptions {
  /** model.* keys (providers, threads, decode size) and models.dir. */
  config: Config;
  logger?: Logger;
  /** Where model names are looked up; default: the models.dir config value. */
  modelsDir?: string;
  /** Relative paths start here; default: the process's working folder. */
  cwd?: string;
}

/**
 * The segmenter `--model NAME|DIR|FILE` selects, for every command: none (or "default") is the
 * embedded weight-free segmenter, anything else a SAM ONNX pair found by resolveModel (a known
 * or installed model name, a folder holding the pair, or an encoder file) and opened with its
 * contracts checked. Failures are the registry's and the SAM backend's typed errors
 * (ModelResolveError, ModelNotInstalledError, ModelIntegrityError, ModelContractError,
 * ModelLoadError), each naming the spec or file.
 */
export async function openSegmenter(
  spec: string | undefined,
  options: OpenSegmenterOptions,
): Promise<Segmenter> {
  if (spec === undefined || spec === DEFAULT_SEGMENTER_ID) return new DefaultSegmenter();
  const { config } = options;
  const modelsDir = options.modelsDir ?? resolveModelsDir(config.get('models.dir'));
  const model = await resolveModel(spec, {
    modelsDir,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  return openSamSegmenter(model, { config, logger: options.logger ?? silentLogger });
}
