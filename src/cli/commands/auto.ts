import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../log/logger.js';
import type { ImageIndex } from '../../dataset/index.js';
import {
  DatasetError,
  ImageChangedError,
  ImageDecodeError,
  ImageService,
} from '../../dataset/index.js';
import {
  AutoMaskOptionError,
  CocoAutoDocument,
  generateMasks,
  openGridDecoder,
  resolveAutoMaskSettings,
  writeJsonAtomic,
  type AutoMaskProgress,
  type AutoMaskSettings,
  type GridDecoder,
} from '../../model/auto/index.js';
import { ContentKeys, EmbeddingStore, WorkQueue } from '../../model/embedding/index.js';
import { openSegmenter } from '../../model/open-segmenter.js';
import { ModelNotInstalledError, ModelResolveError } from '../../model/registry/index.js';
import { segmenterImageOf } from '../../model/segmenter-image.js';
import type { Segmenter } from '../../model/segmenter.js';
import { commandContext, PROJECT_DIR_NAME, type GlobalOptions } from '../context.js';
import { locateDataset, openIndex } from '../project.js';
import { EXIT, type CliIO } from '../io.js';

interface AutoOptions {
  out: string;
  model?: string;
  project?: string;
  pointsPerSide?: number;
  predIouThresh?: number;
  stabilityThresh?: number;
  minArea?: number;
  cropLayers?: number;
}

/** Each setting's command-line flag, so that a refused value is reported under the flag. */
const FLAGS: Partial<Record<keyof AutoMaskSettings, string>> = {
  pointsPerSide: '--points-per-side',
  predIouThresh: '--pred-iou-thresh',
  stabilityThresh: '--stability-thresh',
  minRegionArea: '--min-area',
  cropLayers: '--crop-layers',
};

/** Without a terminal, a picture's point progress is printed at most this often. */
const PROGRESS_INTERVAL_MS = 5000;

/** Ranges are checked by resolveAutoMaskSettings; here only "is it a number". */
function numberArgument(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`expected a number, got "${text}".`);
  }
  return value;
}

/**
 * `auto DIR --out FILE.json [--model M] [...]`: "segment everything" on every picture of a
 * dataset folder into one COCO instances file (compressed RLE masks, one category "object").
 */
export function registerAutoCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command('auto')
    .description(
      'segment everything: masks for every object of every image, written as COCO JSON ' +
        '(without --model, the weight-free default segmenter on an 8x8 grid)',
    )
    .argument('<dir>', 'dataset folder')
    .requiredOption('--out <file>', 'COCO JSON file to write (replaced atomically)')
    .option('--model <model>', 'model name, folder or encoder file (default: built-in segmenter)')
    .option(
      '--project <dir>',
      `project folder whose embedding cache is used and filled (default: <dir>/${PROJECT_DIR_NAME})`,
    )
    .option(
      '--points-per-side <n>',
      'grid points per side (default 32; 8 with the built-in segmenter)',
      numberArgument,
    )
    .option(
      '--pred-iou-thresh <x>',
      'keep masks with predicted IoU above x (default 0.88; 0.8 for SAM 2)',
      numberArgument,
    )
    .option(
      '--stability-thresh <x>',
      'keep masks with stability of at least x (default 0.95)',
      numberArgument,
    )
    .option(
      '--min-area <n>',
      'fill holes and remove islands under n pixels (default 0: off)',
      numberArgument,
    )
    .option(
      '--crop-layers <n>',
      'extra crop layers, each encoded on its own (default 0)',
      numberArgument,
    )
    .action(async (dir: string, options: AutoOptions, command: Command) => {
      const { config, logger } = commandContext(io, command.optsWithGlobals<GlobalOptions>(), dir);
      const out = path.resolve(options.out);
      if (!isFolder(path.dirname(out))) {
        io.err(`error: --out ${options.out}: the folder ${path.dirname(out)} does not exist`);
        setExit(EXIT.usage);
        return;
      }
      const location = locateDataset(dir, options.project);
      const { projectDir } = location;
      let index: ImageIndex;
      try {
        index = openIndex(location, config);
      } catch (err) {
        if (!(err instanceof DatasetError)) throw err;
        io.err(`error: ${err.message}`);
        setExit(EXIT.usage);
        return;
      }
      if (options.model === undefined) {
        io.err(
          'no --model given: using the built-in weight-free segmenter (GrabCut, slower per ' +
            'click and less precise than SAM); pass --model NAME|DIR|FILE for a SAM model',
        );
      }
      let segmenter: Segmenter;
      try {
        segmenter = await openSegmenter(options.model, { config, logger });
      } catch (err) {
        if (!(err instanceof ModelResolveError || err instanceof ModelNotInstalledError)) throw err;
        io.err(`error: ${err.message}`);
        setExit(EXIT.usage);
        return;
      }
      try {
        let settings: AutoMaskSettings;
        try {
          settings = resolveAutoMaskSettings(segmenter.kind, {
            pointsPerSide: options.pointsPerSide,
            predIouThresh: options.predIouThresh,
            stabilityThresh: options.stabilityThresh,
            minRegionArea: options.minArea,
            cropLayers: options.cropLayers,
          });
        } catch (err) {
          if (!(err instanceof AutoMaskOptionError)) throw err;
          const flag = FLAGS[err.field as keyof AutoMaskSettings] ?? err.field;
          io.err(`error: ${flag}: ${err.message}`);
          setExit(EXIT.usage);
          return;
        }
        const embeddingsDir = path.join(projectDir, 'cache', 'embeddings');
        const run = await segmentDataset(index, segmenter, settings, {
          config,
          logger,
          io,
          embeddingsDir,
        });
        await writeJsonAtomic(out, run.document.toJSON());
        io.out(
          `wrote ${run.document.annotationCount} masks for ${run.document.imageCount} images to ${out}` +
            (run.skipped > 0 ? ` (${run.skipped} images skipped)` : ''),
        );
        setExit(run.skipped > 0 ? EXIT.problemsFound : EXIT.ok);
      } finally {
        await segmenter.release();
      }
    });
}

function isFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The embedding tiers `embed` fills, for batch use: a picture `embed` (or an earlier run) encoded
 * is read from `<project>/cache/embeddings/<model>/`, any other is encoded and stored there.
 * Nothing is kept in RAM: each picture is segmented once.
 */
function batchEmbeddings(config: Config, embeddingsDir: string, logger: Logger) {
  const queue = new WorkQueue();
  const store = new EmbeddingStore({
    queue,
    diskRoot: embeddingsDir,
    diskCapBytes: config.get('cache.embeddings.diskMax'),
    diskDtype: config.get('cache.embeddings.diskDtype'),
    ramBudgetBytes: 0,
    ramTtlMs: 0,
    logger,
  });
  return {
    store,
    close: async (): Promise<void> => {
      await store.flush();
      await queue.close();
    },
  };
}

/**
 * Every picture of the index through generateMasks, with one grid decoder for all of them;
 * unreadable pictures are skipped and told.
 */
async function segmentDataset(
  index: ImageIndex,
  segmenter: Segmenter,
  settings: AutoMaskSettings,
  context: { config: Config; logger: Logger; io: CliIO; embeddingsDir: string },
): Promise<{ document: CocoAutoDocument; skipped: number }> {
  const { config, logger, io } = context;
  const budget = config.get('memory.budget');
  const images = new ImageService(index, config, {
    hostBudgetBytes: budget === 'auto' ? os.totalmem() : budget,
  });
  const keys = new ContentKeys(config.get('cache.embeddings.contentHash') ? 'sha256' : 'stat');
  const document = new CocoAutoDocument(
    `sam-annotator auto: ${segmenter.id}, ${settings.pointsPerSide}x${settings.pointsPerSide} points`,
  );
  const entries = index.entries();
  io.err(
    `segmenting ${entries.length} images with ${segmenter.id} ` +
      `(${settings.pointsPerSide}x${settings.pointsPerSide} points, predicted IoU > ` +
      `${settings.predIouThresh}, stability >= ${settings.stabilityThresh})`,
  );
  // Routine info lines of the cache (a folder opened) would break up the progress lines.
  const quiet = logger.isLevelEnabled('info') && !logger.isLevelEnabled('debug');
  const embeddings = batchEmbeddings(
    config,
    context.embeddingsDir,
    quiet ? logger.child({}, { level: 'warn' }) : logger,
  );
  let decoder: GridDecoder | undefined;
  let skipped = 0;
  try {
    decoder = await openGridDecoder(segmenter, { config, logger });
    for (const [position, entry] of entries.entries()) {
      const label = `[${position + 1}/${entries.length}] ${entry.relPath}`;
      const started = performance.now();
      try {
        const image = await segmenterImageOf(images, entry, await keys.keyOf(entry));
        const { embedding, tier } = await embeddings.store.get(segmenter, image, {
          priority: 'batch',
          keepInRam: false,
        });
        const { masks } = await generateMasks(segmenter, embedding, {
          ...settings,
          decoder,
          image: { key: image.key, size: image.size, rgb: () => images.getRgb(entry.id) },
          onProgress: progressPrinter(io, label),
        });
        document.addImage(entry.relPath, image.size, masks);
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        io.err(
          `${label}: ${masks.length} masks in ${seconds} s${tier === 'disk' ? ', embedding from the cache' : ''}`,
        );
      } catch (err) {
        if (!isUnreadable(err)) throw err;
        skipped++;
        io.err(`${label}: skipped: ${err.message}`);
      }
    }
  } finally {
    await decoder?.release();
    await embeddings.close();
  }
  return { document, skipped };
}

function isUnreadable(err: unknown): err is Error {
  return err instanceof ImageDecodeError || err instanceof ImageChangedError;
}

/** Point progress of one picture on stderr, every few seconds while it takes long. */
function progressPrinter(io: CliIO, label: string): (progress: AutoMaskProgress) => void {
  let last = performance.now();
  return (progress) => {
    const now = performance.now();
    if (now - last < PROGRESS_INTERVAL_MS || progress.pointsDone === progress.pointsTotal) return;
    last = now;
    const crops =
      progress.cropsTotal > 1 ? `, crop ${progress.cropsDone + 1}/${progress.cropsTotal}` : '';
    io.err(`${label}: ${progress.pointsDone}/${progress.pointsTotal} points${crops}`);
  };
}
