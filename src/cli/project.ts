import path from 'node:path';
import type { Config } from '../config/index.js';
import { ImageIndex } from '../dataset/index.js';
import type { Logger } from '../log/logger.js';
import { readCgroupMemory, readSystemMemory, resolveBudget } from '../memory/index.js';
import { ProjectStore } from '../store/index.js';
import { PROJECT_DIR_NAME } from './context.js';

/** A dataset folder and where its project data lives. */
export interface DatasetLocation {
  /** Absolute dataset root. */
  root: string;
  /** `<root>/.sam-annotator` or `--project DIR`, absolute. */
  projectDir: string;
}

export function locateDataset(dir: string, projectOption?: string): DatasetLocation {
  const root = path.resolve(dir);
  const projectDir = path.resolve(projectOption ?? path.join(root, PROJECT_DIR_NAME));
  return { root, projectDir };
}

/** The lazy index of a dataset (readdir + stat), skipping the project folder wherever it is. */
export function openIndex(location: DatasetLocation, config: Config): ImageIndex {
  return ImageIndex.open(location.root, {
    projectDirName: PROJECT_DIR_NAME,
    extraSkip: [location.projectDir],
    pixelLimit: config.get('dataset.decodePixelLimit'),
  });
}

/** The project database, with the dataset's images registered (new files added, changed ones noted). */
export function openProject(
  location: DatasetLocation,
  index: ImageIndex,
  config: Config,
  logger: Logger,
): ProjectStore {
  const store = ProjectStore.open({
    projectDir: location.projectDir,
    synchronous: config.get('store.synchronous'),
    validation: {
      minArea: config.get('validation.minArea'),
      maxOverlap: config.get('validation.maxOverlap'),
    },
    logger,
  });
  try {
    const synced = store.images.sync(index.entries());
    logger.info({ ...synced, project: location.projectDir }, 'dataset images registered');
    return store;
  } catch (err) {
    store.close();
    throw err;
  }
}

/** B = min(memory.budget, cgroup limit, physical RAM), as the memory manager resolves it. */
export async function hostBudgetBytes(config: Config): Promise<number> {
  const [system, cgroup] = await Promise.all([readSystemMemory(), readCgroupMemory()]);
  return resolveBudget({
    configured: config.get('memory.budget'),
    cgroupLimit: cgroup?.limitBytes ?? null,
    physical: system.totalBytes,
  }).bytes;
}
