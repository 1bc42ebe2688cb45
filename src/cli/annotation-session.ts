import path from 'node:path';
import type { Config } from '../config/index.js';
import { ImageService } from '../dataset/index.js';
import { readClassList } from '../formats/classes/index.js';
import type { Logger } from '../log/logger.js';
import { CACHE_PRIORITY, MemoryManager } from '../memory/index.js';
import { SegmentationEngine } from '../model/embedding/index.js';
import { openSegmenter } from '../model/open-segmenter.js';
import { SamSegmenter } from '../model/sam/index.js';
import type { Segmenter } from '../model/segmenter.js';
import type { SessionInfo } from '../server/api-contract.js';
import type { ServerDeps } from '../server/server-context.js';
import { hostBudgetBytes, locateDataset, openIndex, openProject } from './project.js';

export interface AnnotationSessionOptions {
  datasetDir: string;
  projectDir?: string;
  /** `--model NAME|DIR|FILE`; none: the embedded default segmenter. */
  model?: string;
  /** An already opened segmenter (benchmarks, tests); takes the place of `model`. */
  segmenter?: Segmenter;
  /** A class list to add to the project (names already there are kept). */
  classesFile?: string;
  config: Config;
  logger: Logger;
  version: string;
  webRoot: string | null;
}

export interface AnnotationSession {
  deps: ServerDeps;
  /** Repairs made while reading the class list, to show the user. */
  classNotes: string[];
  close(): Promise<void>;
}

function modelInfo(segmenter: Segmenter): SessionInfo['model'] {
  if (segmenter instanceof SamSegmenter) {
    const provider = segmenter.executionProviders.decoder;
    return {
      id: segmenter.id,
      kind: segmenter.kind,
      label: `${segmenter.id} (${provider})`,
      provider,
      notice: null,
    };
  }
  return {
    id: segmenter.id,
    kind: 'default',
    label: 'built-in default segmenter',
    provider: 'none',
    notice:
      'No SAM model is loaded: masks come from the built-in weight-free segmenter. ' +
      'For SAM quality run `sam-annotator models pull mobile_sam_20230629` and restart with --model mobile_sam_20230629.',
  };
}

/**
 * Everything the annotation server stands on, opened in order and closed in reverse: the
 * dataset index, the memory manager, decoded pictures, the project database (images
 * registered, classes imported), the segmenter and the engine.
 */
export async function openAnnotationSession(
  options: AnnotationSessionOptions,
): Promise<AnnotationSession> {
  const { config, logger } = options;
  const location = locateDataset(options.datasetDir, options.projectDir);
  const index = openIndex(location, config);
  const closers: Array<() => Promise<void> | void> = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) {
      try {
        await closer();
      } catch (err) {
        logger.warn({ err }, 'closing the session');
      }
    }
  };
  try {
    const memory = new MemoryManager({ config, logger });
    memory.start();
    closers.push(() => memory.stop());
    const images = new ImageService(index, config, {
      logger,
      hostBudgetBytes: await hostBudgetBytes(config),
    });
    const [display, decoded] = images.caches();
    memory.registerCache(display, {
      share: config.get('cache.displayImages.share'),
      priority: CACHE_PRIORITY.displayImages,
    });
    memory.registerCache(decoded, {
      share: config.get('cache.decodedImages.share'),
      priority: CACHE_PRIORITY.decodedImages,
    });
    const store = openProject(location, index, config, logger);
    closers.push(() => store.close());
    const classNotes: string[] = [];
    if (options.classesFile) {
      const list = await readClassList(options.classesFile);
      classNotes.push(...list.repairs);
      store.classes.addMany(list.names, list.colors);
    }
    const segmenter = options.segmenter ?? (await openSegmenter(options.model, { config, logger }));
    closers.push(() => segmenter.release());
    const engine = new SegmentationEngine({
      segmenter,
      images,
      config,
      embeddingsDir: path.join(location.projectDir, 'cache', 'embeddings'),
      memory,
      logger,
    });
    closers.push(() => engine.close());
    const deps: ServerDeps = {
      version: options.version,
      config,
      logger,
      datasetDir: location.root,
      index,
      images,
      store,
      engine,
      memory,
      model: modelInfo(segmenter),
      exportsDir: path.join(location.projectDir, 'exports'),
      webRoot: options.webRoot,
    };
    return { deps, classNotes, close };
  } catch (err) {
    await close();
    throw err;
  }
}
