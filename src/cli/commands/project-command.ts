import type { Command } from 'commander';
import { DatasetError, type ImageIndex } from '../../dataset/index.js';
import { ExportError, ImportError } from '../../formats/index.js';
import { StoreError, type ProjectStore } from '../../store/index.js';
import { commandContext, type CommandContext, type GlobalOptions } from '../context.js';
import { EXIT, type CliIO } from '../io.js';
import { formatDuration } from './embed.js';
import { locateDataset, openIndex, openProject, type DatasetLocation } from '../project.js';

/** What a command over the project store works with; the store is closed when it returns. */
export interface ProjectCommandContext extends CommandContext {
  location: DatasetLocation;
  index: ImageIndex;
  store: ProjectStore;
}

/**
 * The exit code for an error the user can act on (printed as `error: message`), or null for a
 * bug, which main() reports. Bad input files, options, names and destinations are usage errors
 * (2); a project database that cannot be used, and stored data an export cannot write, are
 * errors (1).
 */
export function knownErrorExit(err: unknown): number | null {
  if (err instanceof ImportError || err instanceof DatasetError) return EXIT.usage;
  if (err instanceof ExportError) return err.field.startsWith('images[') ? EXIT.error : EXIT.usage;
  if (err instanceof StoreError) return err.kind === 'project' ? EXIT.error : EXIT.usage;
  return null;
}

/**
 * Runs `run` over the dataset `dir` and its project (images synced into the store first),
 * closes the store whatever happens, and turns known errors into a message and an exit code.
 * `run` resolves to the exit code.
 */
export async function runProjectCommand(
  io: CliIO,
  setExit: (code: number) => void,
  command: Command,
  dir: string,
  projectOption: string | undefined,
  run: (ctx: ProjectCommandContext) => Promise<number>,
): Promise<void> {
  const context = commandContext(io, command.optsWithGlobals<GlobalOptions>(), dir);
  const { config, logger } = context;
  // The routine "images registered" line is noise in a command's output; debug shows it.
  const quiet = logger.isLevelEnabled('info') && !logger.isLevelEnabled('debug');
  const projectLogger = quiet ? logger.child({}, { level: 'warn' }) : logger;
  let store: ProjectStore | undefined;
  try {
    const location = locateDataset(dir, projectOption);
    const index = openIndex(location, config);
    store = openProject(location, index, config, projectLogger);
    setExit(await run({ ...context, location, index, store }));
  } catch (err) {
    const code = knownErrorExit(err);
    if (code === null) throw err;
    io.err(`error: ${(err as Error).message}`);
    setExit(code);
  } finally {
    store?.close();
  }
}

/** "0.4 s" for short runs (embed's formatDuration rounds those to "0 s"), then as it does. */
export function formatElapsed(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms);
}

/** "1 object", "3 objects". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
