import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/index.js';
import { registerAutoCommand } from './commands/auto.js';
import { registerClassesCommand } from './commands/classes.js';
import { registerConfigCommand } from './commands/config.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerEmbedCommand } from './commands/embed.js';
import { registerExportCommand } from './commands/export.js';
import { registerImportCommand } from './commands/import.js';
import { registerModelsCommand } from './commands/models.js';
import { registerPredictCommand } from './commands/predict.js';
import { registerScanCommand } from './commands/scan.js';
import { registerServeCommand } from './commands/serve.js';
import { registerStatsCommand } from './commands/stats.js';
import { EXIT, processIO, type CliIO } from './io.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Runs one command line; resolves to the process exit code. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const program = new Command()
    .name('sam-annotator')
    .description('Annotate images with Segment Anything: clicks and boxes in, object masks out.')
    .version(packageVersion())
    .option(
      '--config <file>',
      'config file (default: sam-annotator.config.json in the project folder)',
    )
    .option('--set <key=value>', 'override one config key (repeatable)', collect)
    .option('--log-level <level>', 'log level (fatal, error, warn, info, debug, trace, silent)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  registerDoctorCommand(program, io, setExit);
  registerScanCommand(program, io, setExit);
  registerConfigCommand(program, io, setExit);
  registerModelsCommand(program, io, setExit);
  registerPredictCommand(program, io, setExit);
  registerEmbedCommand(program, io, setExit);
  registerAutoCommand(program, io, setExit);
  registerServeCommand(program, io, setExit);
  registerExportCommand(program, io, setExit);
  registerImportCommand(program, io, setExit);
  registerClassesCommand(program, io, setExit);
  registerStatsCommand(program, io, setExit);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof ConfigError) {
      io.err(`error: ${err.message}`);
      return EXIT.usage;
    }
    io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.error;
  }
}
