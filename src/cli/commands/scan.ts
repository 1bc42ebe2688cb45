import { InvalidArgumentError, type Command } from 'commander';
import { formatBytes } from '../../config/index.js';
import { ImageDecodeError, ImageIndex } from '../../dataset/index.js';
import { commandContext, PROJECT_DIR_NAME, type GlobalOptions } from '../context.js';
import { EXIT, printJson, type CliIO } from '../io.js';

interface ScanOptions {
  json?: boolean;
  verify?: boolean;
  concurrency: number;
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1) {
    throw new InvalidArgumentError(`expected a whole number of at least 1, got "${text}".`);
  }
  return value;
}

/** `scan DIR [--json] [--verify]`: what a dataset folder holds, and with --verify what is broken. */
export function registerScanCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command('scan')
    .description('count the images of a dataset folder by format; --verify reads every header')
    .argument('<dir>', 'dataset folder')
    .option('--json', 'machine-readable output')
    .option('--verify', 'read every image header and list broken files')
    .option('--concurrency <n>', 'header reads in flight with --verify', positiveInteger, 16)
    .action(async (dir: string, options: ScanOptions, command: Command) => {
      // The command reports broken files and skipped paths itself: no log lines for them.
      const { config } = commandContext(io, command.optsWithGlobals<GlobalOptions>(), dir);
      const started = performance.now();
      const index = ImageIndex.open(dir, {
        projectDirName: PROJECT_DIR_NAME,
        pixelLimit: config.get('dataset.decodePixelLimit'),
      });
      const scanMs = performance.now() - started;
      const byFormat = Object.fromEntries(
        Object.entries(index.countByFormat()).filter(([, count]) => count > 0),
      );

      let verifyMs: number | undefined;
      if (options.verify) {
        const { concurrency } = options;
        const verifyStart = performance.now();
        let lastReport = verifyStart;
        await index.readAllHeaders({
          concurrency,
          onProgress: (done, total) => {
            const now = performance.now();
            if (!options.json && now - lastReport > 1000) {
              lastReport = now;
              io.err(`verifying headers: ${done}/${total}`);
            }
          },
        });
        verifyMs = performance.now() - verifyStart;
      }
      const broken = index.broken().map(({ entry, error }) => ({
        path: entry.relPath,
        reason: error instanceof ImageDecodeError ? error.reason : 'error',
        message: error.message,
      }));
      const result = {
        root: index.root,
        images: index.size,
        byFormat,
        totalBytes: index.totalBytes,
        scanMs: Math.round(scanMs * 10) / 10,
        ...(options.verify ? { verifyMs: Math.round(verifyMs! * 10) / 10, broken } : {}),
        skipped: index.problems,
      };

      if (options.json) printJson(io, result);
      else {
        io.out(
          `${index.root}: ${index.size} images, ${formatBytes(index.totalBytes)}, scanned in ${result.scanMs} ms`,
        );
        for (const [format, count] of Object.entries(byFormat))
          io.out(`  ${format.padEnd(5)} ${count}`);
        for (const problem of index.problems) io.err(`skipped ${problem.path}: ${problem.message}`);
        if (options.verify) {
          io.out(`headers verified in ${result.verifyMs} ms: ${broken.length} broken`);
          for (const b of broken) io.out(`  ${b.message}`);
        }
      }
      setExit(options.verify && broken.length > 0 ? EXIT.problemsFound : EXIT.ok);
    });
}
