import type { Command } from 'commander';
import { CONFIG_KEYS, CONFIG_KEY_NAMES, describeSource, envNameOf } from '../../config/index.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { EXIT, printJson, type CliIO } from '../io.js';

interface ConfigOptions {
  json?: boolean;
}

/** `config [DIR] [--json]`: every key with its value, where the value came from, and its env name. */
export function registerConfigCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command('config')
    .description('show the effective configuration: each key, its value and where it came from')
    .argument('[dir]', 'dataset folder whose config file to include')
    .option('--json', 'machine-readable output')
    .action((dir: string | undefined, options: ConfigOptions, command: Command) => {
      const { config } = commandContext(io, command.optsWithGlobals<GlobalOptions>(), dir);
      const rows = CONFIG_KEY_NAMES.map((key) => ({
        key,
        value: config.get(key),
        source: describeSource(config.sourceOf(key)),
        env: envNameOf(key),
        allowed: CONFIG_KEYS[key].allowed,
        description: CONFIG_KEYS[key].description,
      }));
      if (options.json) printJson(io, rows);
      else {
        const width = Math.max(...rows.map((r) => r.key.length));
        for (const row of rows) {
          io.out(`${row.key.padEnd(width)}  ${JSON.stringify(row.value)}  (${row.source})`);
        }
      }
      setExit(EXIT.ok);
    });
}
