import path from 'node:path';
import { loadConfig, parseSetFlags, type Config } from '../config/index.js';
import { createLogger, type Logger } from '../log/logger.js';
import { PROJECT_DIR_NAME } from '../store/index.js';
import type { CliIO } from './io.js';

/** The project folder's name inside a dataset; the store owns it. */
export { PROJECT_DIR_NAME };

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string;
  set?: string[];
  logLevel?: string;
}

export interface CommandContext {
  io: CliIO;
  config: Config;
  logger: Logger;
}

/**
 * Loads the config for a command. With a dataset folder, its project folder and then the
 * dataset folder itself are searched for `sam-annotator.config.json`.
 */
export function commandContext(
  io: CliIO,
  options: GlobalOptions,
  datasetDir?: string,
): CommandContext {
  const flags = parseSetFlags(options.set ?? []);
  if (options.logLevel)
    flags.push({ key: 'log.level', value: options.logLevel, flag: '--log-level' });
  const searchDirs = datasetDir
    ? [path.join(datasetDir, PROJECT_DIR_NAME), datasetDir]
    : [process.cwd()];
  const config = loadConfig({ configFile: options.config, searchDirs, flags });
  return { io, config, logger: createLogger(config.get('log.level')) };
}
