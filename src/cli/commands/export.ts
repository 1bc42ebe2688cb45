import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  COCO_SEGMENTATIONS,
  ExportError,
  exportAnnotations,
  parseSplits,
  type CocoSegmentation,
  type ExportFormat,
  type SplitSpec,
} from '../../formats/index.js';
import { PROJECT_DIR_NAME } from '../context.js';
import { EXIT, printJson, processIO, type CliIO } from '../io.js';
import { countProgress, type CountProgress } from './count-progress.js';
import { HeaderSizes } from './header-sizes.js';
import { count, formatElapsed, runProjectCommand } from './project-command.js';

/** `--format` names: `yolo` is detection, as Ultralytics' own default task. */
const FORMAT_NAMES: Record<string, ExportFormat> = {
  coco: 'coco',
  yolo: 'yolo-det',
  'yolo-det': 'yolo-det',
  'yolo-seg': 'yolo-seg',
  voc: 'voc',
  seed: 'seed',
};

/** The formats each format-specific option applies to. */
const OPTION_FORMATS: Record<string, readonly ExportFormat[]> = {
  '--segmentation': ['coco'],
  '--split': ['coco', 'yolo-det', 'yolo-seg', 'voc'],
  '--copy-images': ['yolo-det', 'yolo-seg'],
  '--tolerance': ['coco', 'yolo-seg', 'seed'],
};

interface ExportCliOptions {
  format: string;
  out: string;
  segmentation?: CocoSegmentation;
  split?: SplitSpec[];
  tolerance?: number;
  copyImages?: boolean;
  overwrite?: boolean;
  project?: string;
  json?: boolean;
}

function splitArgument(text: string): SplitSpec[] {
  try {
    return parseSplits(text, '--split');
  } catch (err) {
    if (err instanceof ExportError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

function toleranceArgument(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`expected a number of pixels >= 0, got "${text}".`);
  }
  return value;
}

/** The options given that the chosen format does not have, as a sentence; null when none. */
function misplacedOptions(format: ExportFormat, options: ExportCliOptions): string | null {
  const given: Record<string, unknown> = {
    '--segmentation': options.segmentation,
    '--split': options.split,
    '--copy-images': options.copyImages,
    '--tolerance': options.tolerance,
  };
  const wrong = Object.keys(OPTION_FORMATS).filter(
    (flag) => given[flag] !== undefined && !OPTION_FORMATS[flag]!.includes(format),
  );
  if (wrong.length === 0) return null;
  return wrong
    .map((flag) => `${flag} applies to --format ${OPTION_FORMATS[flag]!.join(', ')} only`)
    .join('; ');
}

/**
 * `export DIR --format F --out PATH`: writes the project's annotations as COCO, YOLO
 * (detection or segmentation), Pascal VOC or the seed tool's layout. The destination appears
 * only once complete; an existing one is refused unless --overwrite.
 */
export function registerExportCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command('export')
    .description("write the project's annotations as COCO, YOLO, Pascal VOC or the seed layout")
    .argument('<dir>', 'dataset folder')
    .addOption(
      new Option('--format <format>', 'coco, yolo (detection boxes), yolo-seg, voc or seed')
        .choices(Object.keys(FORMAT_NAMES))
        .makeOptionMandatory(),
    )
    .requiredOption('--out <path>', 'folder to write (it must not exist, unless --overwrite)')
    .addOption(
      new Option(
        '--segmentation <kind>',
        'COCO masks: rle (exact, default), polygon or auto',
      ).choices(COCO_SEGMENTATIONS),
    )
    .option('--split <spec>', 'cut the images into splits, e.g. train=0.8,val=0.2', splitArgument)
    .option(
      '--tolerance <px>',
      'polygon simplification in pixels (default 0: exact pixel outlines)',
      toleranceArgument,
    )
    .option('--copy-images', 'YOLO: copy the images into the export instead of linking them')
    .option('--overwrite', 'replace an existing destination (only once the export is complete)')
    .option('--project <dir>', `project folder (default: <dir>/${PROJECT_DIR_NAME})`)
    .option('--json', 'machine-readable summary')
    .action(async (dir: string, options: ExportCliOptions, command: Command) => {
      const format = FORMAT_NAMES[options.format]!;
      const misplaced = misplacedOptions(format, options);
      if (misplaced) {
        io.err(`error: ${misplaced}`);
        setExit(EXIT.usage);
        return;
      }
      await runProjectCommand(io, setExit, command, dir, options.project, async (ctx) => {
        const started = performance.now();
        const tty = io === processIO && process.stderr.isTTY ? process.stderr : undefined;
        // Ctrl-C stops between images; nothing is left at the destination.
        const controller = new AbortController();
        const onInterrupt = (): void => controller.abort();
        if (io === processIO) process.once('SIGINT', onInterrupt);
        const sizes = new HeaderSizes(ctx.index, ctx.store);
        const reading = countProgress(io, 'reading image sizes:', { tty });
        let exporting: CountProgress | undefined;
        let result;
        let headersRead = 0;
        try {
          headersRead = await sizes.prefetch({
            onProgress: (done, total) => reading.update(done, total),
            signal: controller.signal,
          });
          reading.stop();
          exporting = countProgress(io, `exporting ${format}: image`, { tty });
          const progress = exporting;
          result = await exportAnnotations(format, ctx.store, path.resolve(options.out), {
            overwrite: options.overwrite === true,
            onProgress: ({ done, total }) => progress.update(done, total),
            signal: controller.signal,
            imageSize: sizes.imageSize,
            datasetRoot: ctx.location.root,
            ...(options.segmentation ? { segmentation: options.segmentation } : {}),
            ...(options.split ? { splits: options.split } : {}),
            ...(options.tolerance !== undefined ? { tolerance: options.tolerance } : {}),
            ...(options.copyImages ? { copyImages: true } : {}),
          });
        } catch (err) {
          if (controller.signal.aborted) {
            io.err('interrupted: nothing was written');
            return EXIT.error;
          }
          throw sizes.explain(err);
        } finally {
          reading.stop();
          exporting?.stop();
          process.off('SIGINT', onInterrupt);
        }
        const summary = {
          ...result,
          /** Images sized from their dataset header (nobody had opened them). */
          headersRead,
          elapsedMs: Math.round(performance.now() - started),
        };
        if (options.json) printJson(io, summary);
        else {
          io.out(
            `exported ${count(summary.objects, 'object')} on ${count(summary.images, 'image')} ` +
              `as ${format} to ${summary.destination} (${count(summary.files, 'file')}) ` +
              `in ${formatElapsed(summary.elapsedMs)}`,
          );
          if (headersRead > 0) {
            io.out(
              `  ${count(headersRead, 'image')} sized from the file header (now kept in the project)`,
            );
          }
          for (const warning of summary.warnings) io.out(`  warning: ${warning}`);
        }
        return EXIT.ok;
      });
    });
}
