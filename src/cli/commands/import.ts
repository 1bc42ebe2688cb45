import path from 'node:path';
import { Option, type Command } from 'commander';
import type { ImageIndex } from '../../dataset/index.js';
import {
  importAnnotations,
  importContextFromIndex,
  readClassList,
  type ImageSize,
  type ImportContext,
  type ImportFormat,
  type ImportOptions,
} from '../../formats/index.js';
import type { ImportMode, ProjectStore } from '../../store/index.js';
import { PROJECT_DIR_NAME } from '../context.js';
import { EXIT, printJson, type CliIO } from '../io.js';
import { count, formatElapsed, runProjectCommand } from './project-command.js';

/** `--format` names; one YOLO importer reads boxes and polygons alike. */
const FORMAT_NAMES: Record<string, ImportFormat> = {
  coco: 'coco',
  yolo: 'yolo',
  'yolo-det': 'yolo',
  'yolo-seg': 'yolo',
  voc: 'voc',
  seed: 'seed',
};

interface ImportCliOptions {
  format?: string;
  mode: ImportMode;
  classes?: string;
  skipUnmatched?: boolean;
  project?: string;
  json?: boolean;
}

/**
 * What the importer knows of the dataset: every image of the index, with the size the project
 * recorded or the index has read; other headers are read only for the images the input names.
 */
function importContext(index: ImageIndex, store: ProjectStore): ImportContext {
  const context = importContextFromIndex(index);
  const images = new Map<string, ImageSize | null>(context.images);
  for (const record of store.iterateImages()) {
    if (record.width !== null && record.height !== null && images.get(record.path) === null) {
      images.set(record.path, { width: record.width, height: record.height });
    }
  }
  return { ...context, images };
}

/** Importers that read a class list beside their labels, which --classes replaces. */
const CLASS_LIST_FORMATS: readonly ImportFormat[] = ['yolo', 'voc', 'seed'];

/** `--classes FILE` as the chosen importer takes it. */
async function classesOption(
  format: ImportFormat | undefined,
  file: string | undefined,
): Promise<Partial<ImportOptions>> {
  if (file === undefined) return {};
  if (format === 'yolo') return { classesFile: file };
  if (format === 'seed') return { classesCsv: file };
  return { classNames: (await readClassList(file)).names };
}

/**
 * `import DIR PATH [--format F] [--mode merge|replace]`: reads annotations made elsewhere and
 * adds them to the project in one transaction. A file that cannot be read as the format says
 * changes nothing: the error names the file and the line or field.
 */
export function registerImportCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command('import')
    .description('add annotations from COCO, YOLO, Pascal VOC or seed-layout files to the project')
    .argument('<dir>', 'dataset folder')
    .argument('<path>', 'annotation file or folder (COCO .json, YOLO/VOC/seed folder)')
    .addOption(
      new Option(
        '--format <format>',
        'coco, yolo, yolo-seg, voc or seed (default: detected)',
      ).choices(Object.keys(FORMAT_NAMES)),
    )
    .addOption(
      new Option(
        '--mode <mode>',
        'merge: add beside existing objects; replace: first remove the objects of the images the import names',
      )
        .choices(['merge', 'replace'])
        .default('merge'),
    )
    .option(
      '--classes <file>',
      'class list of YOLO, VOC or seed labels (default: found beside them)',
    )
    .option(
      '--skip-unmatched',
      'leave out annotations of images not in the dataset (default: refuse)',
    )
    .option('--project <dir>', `project folder (default: <dir>/${PROJECT_DIR_NAME})`)
    .option('--json', 'machine-readable summary')
    .action(async (dir: string, source: string, options: ImportCliOptions, command: Command) => {
      const format = options.format === undefined ? undefined : FORMAT_NAMES[options.format];
      if (options.classes !== undefined && !(format && CLASS_LIST_FORMATS.includes(format))) {
        io.err(
          'error: --classes needs --format yolo, yolo-seg, voc or seed (COCO files hold their categories)',
        );
        setExit(EXIT.usage);
        return;
      }
      await runProjectCommand(io, setExit, command, dir, options.project, async (ctx) => {
        const started = performance.now();
        const classes = await classesOption(format, options.classes);
        const read = await importAnnotations(source, importContext(ctx.index, ctx.store), {
          ...classes,
          ...(format ? { format } : {}),
          unmatched: options.skipUnmatched ? 'skip' : 'error',
        });
        const applied = ctx.store.applyImport(read.batch, { mode: options.mode });
        const summary = {
          source: path.resolve(source),
          ...applied,
          notes: read.notes,
          elapsedMs: Math.round(performance.now() - started),
        };
        if (options.json) printJson(io, summary);
        else {
          io.out(
            `imported ${count(summary.objectsAdded, 'object')} on ${summary.imagesChanged} of ` +
              `${count(summary.images, 'image')} (${summary.format}, ${summary.mode}) ` +
              `in ${formatElapsed(summary.elapsedMs)}`,
          );
          if (summary.objectsRemoved > 0) {
            io.out(`  removed ${count(summary.objectsRemoved, 'object')} the import replaced`);
          }
          if (summary.classesAdded.length > 0) {
            io.out(`  new classes: ${summary.classesAdded.join(', ')}`);
          }
          for (const note of summary.notes) io.out(`  note: ${note}`);
        }
        return EXIT.ok;
      });
    });
}
