import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { ImageIndex } from '../../dataset/index.js';
import { ImageDecodeError, ImageService } from '../../dataset/index.js';
import { SegmentationEngine, folderNameOf } from '../../model/embedding/index.js';
import { openSegmenter } from '../../model/open-segmenter.js';
import { ModelRegistryError } from '../../model/registry/index.js';
import type { Segmenter } from '../../model/segmenter.js';
import { commandContext, PROJECT_DIR_NAME, type GlobalOptions } from '../context.js';
import { EXIT, printJson, processIO, type CliIO } from '../io.js';
import { hostBudgetBytes, locateDataset, openIndex } from '../project.js';

interface EmbedOptions {
  model?: string;
  project?: string;
  json?: boolean;
}

export interface EmbedProgress {
  /** Images looked at so far (encoded, found cached, or broken). */
  done: number;
  total: number;
  encoded: number;
  cached: number;
  broken: number;
  /** Time left at the encode rate so far; null before the first encode. */
  etaMs: number | null;
}

export interface EmbedProgressReporter {
  update(progress: EmbedProgress): void;
  stop(): void;
}

/** Plain progress lines are at most this often, so that logs stay short. */
const LINE_INTERVAL_MS = 2000;

/** "42 s", "3 min 05 s", "2 h 07 min"; "?" when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '?';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * Progress of `embed` on stderr: a cli-progress bar with the ETA on a terminal (`tty`),
 * otherwise a plain line every `intervalMs` (and none at all for a short run).
 */
export function embedProgressReporter(
  io: CliIO,
  tty?: NodeJS.WritableStream,
  intervalMs = LINE_INTERVAL_MS,
): EmbedProgressReporter {
  const payload = (p: EmbedProgress) => ({
    encoded: p.encoded,
    cached: p.cached,
    broken: p.broken,
    left: formatDuration(p.etaMs),
  });
  if (tty) {
    let bar: cliProgress.SingleBar | undefined;
    return {
      update(p) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              stream: tty,
              format:
                'embedding [{bar}] {value}/{total} | {encoded} encoded, {cached} cached, ' +
                '{broken} broken | ETA {left}',
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(p.total, p.done, payload(p));
        } else bar.update(p.done, payload(p));
      },
      stop() {
        bar?.stop();
        bar = undefined;
      },
    };
  }
  let last = Date.now();
  return {
    update(p) {
      if (p.done === p.total || Date.now() - last < intervalMs) return;
      last = Date.now();
      const { encoded, cached, broken, left } = payload(p);
      io.err(
        `embedding ${p.done}/${p.total}: ${encoded} encoded, ${cached} cached, ${broken} broken, ETA ${left}`,
      );
    },
    stop() {},
  };
}

interface BrokenImage {
  path: string;
  reason: string;
  message: string;
}

interface EmbedSummary {
  encoded: number;
  cached: number;
  broken: BrokenImage[];
  /** Encoded, but the disk cache did not take them (full, or a write failed). */
  notStored: string[];
  interrupted: boolean;
  encodeMs: number;
}

/**
 * Every image of the index through engine.embedEach: a few images in flight, so that the next
 * pictures are decoded while one encodes (the engine bounds how many; batch embeddings do not
 * enter the RAM tier). Images cached already are skipped without reading their pixels; broken
 * ones are listed and skipped.
 */
async function embedAll(
  engine: SegmentationEngine,
  index: ImageIndex,
  progress: EmbedProgressReporter,
  signal: AbortSignal,
): Promise<EmbedSummary> {
  const summary: EmbedSummary = {
    encoded: 0,
    cached: 0,
    broken: [],
    notStored: [],
    interrupted: false,
    encodeMs: 0,
  };
  const entries = index.entries();
  let done = 0;
  // Encodes overlap with the next images' decoding: each one is charged the time since the
  // previous image came back, which adds up to the wall time of the run.
  let last = performance.now();
  for await (const outcome of engine.embedEach(
    entries.map((entry) => entry.id),
    signal,
  )) {
    if (signal.aborted) {
      summary.interrupted = true;
      break;
    }
    const entry = index.require(outcome.imageId);
    const now = performance.now();
    if (outcome.ok) {
      if (outcome.result.tier === 'encoder') {
        summary.encoded++;
        summary.encodeMs += now - last;
        if (!outcome.result.onDisk) summary.notStored.push(entry.relPath);
      } else summary.cached++;
    } else {
      const err = outcome.error;
      if (!(err instanceof ImageDecodeError)) throw err;
      summary.broken.push({ path: entry.relPath, reason: err.reason, message: err.message });
    }
    last = now;
    done++;
    progress.update({
      done,
      total: entries.length,
      encoded: summary.encoded,
      cached: summary.cached,
      broken: summary.broken.length,
      etaMs: summary.encoded
        ? (summary.encodeMs / summary.encoded) * (entries.length - done)
        : null,
    });
  }
  return summary;
}

/**
 * `embed DIR [--model M] [--project DIR] [--json]`: computes the embedding of every image of a
 * dataset into the project's disk cache (`<project>/cache/embeddings/<model>/`), so that
 * annotation never waits for the encoder. Resumable: images cached already are skipped. Exit
 * code 3 when some images are broken (they are listed), 1 when interrupted or when embeddings
 * could not be stored.
 */
export function registerEmbedCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command('embed')
    .description('precompute the embedding of every image into the disk cache (resumable)')
    .argument('<dir>', 'dataset folder')
    .option(
      '--model <model>',
      'model name, folder or encoder file (default: the embedded segmenter)',
    )
    .option('--project <dir>', `project folder (default: <dir>/${PROJECT_DIR_NAME})`)
    .option('--json', 'machine-readable summary')
    .action(async (dir: string, options: EmbedOptions, command: Command) => {
      const started = performance.now();
      const { config, logger } = commandContext(io, command.optsWithGlobals<GlobalOptions>(), dir);
      if (config.get('cache.embeddings.diskMax') === 0) {
        io.err(
          'error: the embedding disk cache is off (cache.embeddings.diskMax = 0): nothing to embed into',
        );
        setExit(EXIT.usage);
        return;
      }
      const location = locateDataset(dir, options.project);
      const { root, projectDir } = location;
      // The command lists broken files itself: the index logs nothing about them.
      const index = openIndex(location, config);
      let segmenter: Segmenter;
      try {
        segmenter = await openSegmenter(options.model, { config, logger });
      } catch (err) {
        if (!(err instanceof ModelRegistryError)) throw err;
        io.err(`error: ${err.message}`);
        setExit(EXIT.usage);
        return;
      }
      // Each model input is used once: the decoded-pixel caches keep nothing for the batch.
      const images = new ImageService(index, config, {
        logger,
        hostBudgetBytes: await hostBudgetBytes(config),
        budgets: { displayImages: 0, decodedImages: 0 },
      });
      const embeddingsDir = path.join(projectDir, 'cache', 'embeddings');
      // Routine info lines (a cache folder opened) would break up the progress display.
      const quiet = logger.isLevelEnabled('info') && !logger.isLevelEnabled('debug');
      const engineLogger = quiet ? logger.child({}, { level: 'warn' }) : logger;
      const engine = new SegmentationEngine({
        segmenter,
        images,
        config,
        embeddingsDir,
        logger: engineLogger,
      });

      const tty = io === processIO && process.stderr.isTTY ? process.stderr : undefined;
      const progress = embedProgressReporter(io, tty);
      // Ctrl-C stops after the image being encoded; what is on disk stays for the next run.
      const controller = new AbortController();
      const onInterrupt = (): void => controller.abort();
      if (io === processIO) process.once('SIGINT', onInterrupt);
      let summary: EmbedSummary;
      try {
        summary = await embedAll(engine, index, progress, controller.signal);
      } finally {
        progress.stop();
        process.off('SIGINT', onInterrupt);
        await engine.close();
        await segmenter.release();
      }

      const result = {
        root,
        model: segmenter.id,
        cacheDir: path.join(embeddingsDir, folderNameOf(segmenter.id)),
        images: index.size,
        encoded: summary.encoded,
        cached: summary.cached,
        broken: summary.broken,
        notStored: summary.notStored,
        interrupted: summary.interrupted,
        elapsedMs: Math.round(performance.now() - started),
        encodeMsPerImage: summary.encoded ? Math.round(summary.encodeMs / summary.encoded) : null,
      };
      if (options.json) printJson(io, result);
      else {
        io.out(
          `${result.interrupted ? 'interrupted: ' : ''}embedded ${result.encoded} of ${result.images} ` +
            `images with ${result.model} in ${formatDuration(result.elapsedMs)}; ` +
            `${result.cached} were cached already, ${result.broken.length} broken`,
        );
        io.out(`cache: ${result.cacheDir}`);
        for (const b of result.broken) io.out(`  broken: ${b.message}`);
        if (result.notStored.length > 0) {
          io.out(`  not stored (disk cache full or not writable): ${result.notStored.join(', ')}`);
        }
      }
      setExit(
        result.interrupted || result.notStored.length > 0
          ? EXIT.error
          : result.broken.length > 0
            ? EXIT.problemsFound
            : EXIT.ok,
      );
    });
}
