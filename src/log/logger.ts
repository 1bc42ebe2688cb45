import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One logger for the process. CLI commands log to stderr so that `--json` output on stdout
 * stays machine-readable.
 */
export function createLogger(level: string = 'info', destination: 1 | 2 = 2): Logger {
  return pino({ level, base: undefined }, pino.destination({ fd: destination, sync: true }));
}

/** A logger that drops everything (tests, library use without a host). */
export const silentLogger: Logger = pino({ level: 'silent' });
