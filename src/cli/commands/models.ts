import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { formatBytes } from '../../config/index.js';
import {
  KNOWN_MODELS,
  UnknownModelError,
  describeProblems,
  downloadSize,
  fileIn,
  listInstalled,
  pull,
  resolveModelsDir,
  verifyAllInstalled,
  verifyModel,
  type PullProgress,
  type PullResult,
  type VerifyReport,
} from '../../model/registry/index.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { EXIT, printJson, processIO, type CliIO } from '../io.js';

interface DirOption {
  dir?: string;
  json?: boolean;
}

interface PullOptions extends DirOption {
  force?: boolean;
}

/** `models list|pull NAME|verify [NAME]`: the known models, downloads and integrity checks. */
export function registerModelsCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  const models = program
    .command('models')
    .description('list, download (pull) and verify Segment Anything model files');

  models
    .command('list')
    .description('known models: name, contract, download size, installed or not')
    .option('--dir <dir>', 'models folder (default: config models.dir)')
    .option('--json', 'machine-readable output')
    .action(async (options: DirOption, command: Command) => {
      const { modelsDir } = settings(io, command, options);
      const listing = await listInstalled(modelsDir);
      const installed = new Map(listing.models.map((m) => [m.name, m]));
      const rows = KNOWN_MODELS.map((m) => ({
        name: m.name,
        family: m.family,
        contract: m.contract,
        downloadBytes: downloadSize(m),
        sizeExact: m.downloads.every((d) => d.bytes !== undefined),
        sha256Published: m.downloads.every((d) => d.sha256 !== undefined),
        installed: installed.has(m.name),
        ...(installed.has(m.name) ? { dir: installed.get(m.name)!.dir } : {}),
        known: true,
        description: m.description,
      }));
      for (const m of listing.models.filter((i) => !KNOWN_MODELS.some((k) => k.name === i.name))) {
        rows.push({
          name: m.name,
          family: m.manifest.family,
          contract: m.manifest.contract,
          downloadBytes: m.manifest.sources.reduce((sum, s) => sum + s.bytes, 0),
          sizeExact: true,
          sha256Published: m.manifest.sources.every((s) => s.sha256Published),
          installed: true,
          dir: m.dir,
          known: false,
          description: 'installed, not in the list of known models',
        });
      }
      for (const problem of listing.problems) io.err(`warning: ${problem.message}`);
      if (options.json) printJson(io, { modelsDir, models: rows });
      else {
        io.out(`models folder: ${modelsDir}`);
        const width = Math.max(...rows.map((r) => r.name.length));
        for (const r of rows) {
          const size = (r.sizeExact ? '' : '~') + formatBytes(r.downloadBytes);
          io.out(
            `${r.name.padEnd(width)}  ${r.contract.padEnd(5)}  ${size.padStart(10)}  ` +
              `${r.installed ? 'installed' : '-'.padEnd(9)}  ${r.description}`,
          );
        }
      }
      setExit(EXIT.ok);
    });

  models
    .command('pull')
    .description('download a model, check its sha256 and install it into the models folder')
    .argument('<name>', 'model name (see `models list`)')
    .option('--force', 'download again even when installed')
    .option('--dir <dir>', 'models folder (default: config models.dir)')
    .option('--json', 'machine-readable result')
    .action(async (name: string, options: PullOptions, command: Command) => {
      const { modelsDir, baseUrl, idleTimeoutMs } = settings(io, command, options);
      const tty = io === processIO && process.stderr.isTTY ? process.stderr : undefined;
      const progress = pullProgressReporter(io, tty);
      // Ctrl-C aborts the download, so that pull removes its partial files before exiting.
      const controller = new AbortController();
      const onInterrupt = (): void => controller.abort();
      if (io === processIO) process.once('SIGINT', onInterrupt);
      let result: PullResult;
      try {
        result = await pull(name, {
          dir: modelsDir,
          baseUrl,
          force: options.force === true,
          idleTimeoutMs,
          signal: controller.signal,
          onProgress: progress.update,
        });
      } catch (err) {
        if (!(err instanceof UnknownModelError)) throw err;
        io.err(`error: ${err.message}`);
        setExit(EXIT.usage);
        return;
      } finally {
        progress.stop();
        process.off('SIGINT', onInterrupt);
      }
      const encoder = fileIn(result.dir, result.manifest.encoder);
      const decoder = fileIn(result.dir, result.manifest.decoder);
      if (options.json) {
        printJson(io, {
          name: result.name,
          status: result.status,
          dir: result.dir,
          encoder,
          decoder,
          downloadedBytes: result.downloadedBytes,
          files: result.manifest.files,
        });
      } else if (result.status === 'already-installed') {
        io.out(
          `${result.name} is already installed in ${result.dir}; pass --force to download it again.`,
        );
      } else {
        io.out(
          `installed ${result.name} in ${result.dir} (${formatBytes(result.downloadedBytes)} downloaded)\n` +
            `  encoder ${encoder}\n  decoder ${decoder}`,
        );
      }
      setExit(EXIT.ok);
    });

  models
    .command('verify')
    .description(
      're-hash installed model files against their model.json (exit code 3 on a mismatch)',
    )
    .argument('[name]', 'model name or model folder (default: every installed model)')
    .option('--dir <dir>', 'models folder (default: config models.dir)')
    .option('--json', 'machine-readable output')
    .action(async (name: string | undefined, options: DirOption, command: Command) => {
      const { modelsDir } = settings(io, command, options);
      let reports: VerifyReport[];
      let problems: string[] = [];
      try {
        if (name !== undefined) reports = [await verifyModel(name, { modelsDir })];
        else ({ reports, problems } = await verifyAllInstalled({ modelsDir }));
      } catch (err) {
        if (!(err instanceof UnknownModelError)) throw err;
        io.err(`error: ${err.message}`);
        setExit(EXIT.usage);
        return;
      }
      const ok = reports.every((r) => r.ok) && problems.length === 0;
      if (options.json) printJson(io, { modelsDir, ok, models: reports, problems });
      else {
        if (reports.length === 0 && problems.length === 0) {
          io.out(`no models installed in ${modelsDir}`);
        }
        for (const report of reports) {
          io.out(
            report.ok
              ? `${report.name}: ok (${report.files.length} files) in ${report.dir}`
              : `${report.name}: FAILED in ${report.dir}`,
          );
          for (const line of describeProblems(report.files)) io.out(`  ${line}`);
        }
        for (const problem of problems) io.out(`FAILED: ${problem}`);
      }
      setExit(ok ? EXIT.ok : EXIT.problemsFound);
    });
}

function settings(
  io: CliIO,
  command: Command,
  options: DirOption,
): { modelsDir: string; baseUrl: string; idleTimeoutMs: number } {
  const { config } = commandContext(io, command.optsWithGlobals<GlobalOptions>());
  return {
    modelsDir: options.dir ? path.resolve(options.dir) : resolveModelsDir(config.get('models.dir')),
    baseUrl: config.get('models.baseUrl'),
    idleTimeoutMs: config.get('models.downloadTimeoutMs'),
  };
}

export interface PullProgressReporter {
  update: (event: PullProgress) => void;
  stop: () => void;
}

/** Lines without a terminal are at most this often, so that logs stay short. */
const LINE_INTERVAL_MS = 2000;

/**
 * Progress of a pull on stderr: a cli-progress bar on a terminal (`tty`), otherwise plain
 * lines (start, every couple of seconds, end of each file) that read well in CI logs.
 */
export function pullProgressReporter(io: CliIO, tty?: NodeJS.WritableStream): PullProgressReporter {
  return tty ? barReporter(tty) : lineReporter(io);
}

function lineReporter(io: CliIO): PullProgressReporter {
  let current = '';
  let lastLine = 0;
  let finished = false;
  return {
    update(event) {
      if (event.phase === 'download') {
        const { fileName, receivedBytes: got, totalBytes: total } = event;
        if (fileName !== current) {
          current = fileName;
          finished = false;
          lastLine = Date.now();
          const size = total === undefined ? 'size unknown' : formatBytes(total);
          io.err(`downloading ${fileName} (${size}) from ${event.url}`);
          return;
        }
        const done = total !== undefined && got >= total;
        if (done && !finished) {
          finished = true;
          io.err(`  ${fileName}: ${formatBytes(got)} received`);
        } else if (!done && Date.now() - lastLine >= LINE_INTERVAL_MS) {
          lastLine = Date.now();
          const share = total
            ? ` of ${formatBytes(total)} (${Math.floor((100 * got) / total)}%)`
            : '';
          io.err(`  ${fileName}: ${formatBytes(got)}${share}`);
        }
      } else if (event.phase === 'extract' && event.doneEntries === 1) {
        io.err(`extracting ${event.fileName} (${event.totalEntries} entries)`);
      }
    },
    stop() {},
  };
}

function barReporter(stream: NodeJS.WritableStream): PullProgressReporter {
  let bar: cliProgress.SingleBar | undefined;
  let current = '';
  const stopBar = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return {
    update(event) {
      if (event.phase === 'download') {
        const total = event.totalBytes ?? 0;
        const payload = {
          file: event.fileName,
          received: formatBytes(event.receivedBytes),
          size: event.totalBytes === undefined ? '?' : formatBytes(event.totalBytes),
        };
        if (event.fileName !== current || !bar) {
          stopBar();
          current = event.fileName;
          bar = new cliProgress.SingleBar(
            {
              stream,
              // Without a size (a chunked answer) a bar and an ETA would be made up.
              format:
                event.totalBytes === undefined
                  ? '{file} {received} received'
                  : '{file} [{bar}] {percentage}% {received}/{size} ETA {eta_formatted}',
              hideCursor: true,
              etaBuffer: 50,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, event.receivedBytes, payload);
        } else {
          if (total && bar.getTotal() !== total) bar.setTotal(total);
          bar.update(event.receivedBytes, payload);
        }
      } else if (event.phase === 'extract' && event.doneEntries === 1) {
        stopBar();
        stream.write(`extracting ${event.fileName}\n`);
      } else if (event.phase === 'installed') {
        stopBar();
      }
    },
    stop: stopBar,
  };
}
