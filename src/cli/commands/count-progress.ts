import cliProgress from 'cli-progress';
import type { CliIO } from '../io.js';

export interface CountProgress {
  update(done: number, total: number): void;
  stop(): void;
}

export interface CountProgressOptions {
  /** A terminal to draw a bar on; without one, plain lines go to io.err. */
  tty?: NodeJS.WritableStream;
  /** Nothing is shown before this much time has passed: short runs stay quiet. */
  delayMs?: number;
  /** Plain lines are at most this often. */
  intervalMs?: number;
  /** Injected by tests. */
  now?: () => number;
}

/**
 * "label 120/5000" progress on stderr for work counted in items (images exported): a bar on a
 * terminal, otherwise a line every few seconds; nothing for a run shorter than the delay, and
 * no line for the last item (the command's summary follows).
 */
export function countProgress(
  io: CliIO,
  label: string,
  options: CountProgressOptions = {},
): CountProgress {
  const now = options.now ?? (() => performance.now());
  const delayMs = options.delayMs ?? 1000;
  const intervalMs = options.intervalMs ?? 2000;
  const started = now();
  let lastLine = started + delayMs - intervalMs;
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(done, total) {
      const t = now();
      if (done >= total || t - started < delayMs) {
        bar?.update(done);
        return;
      }
      if (options.tty) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              stream: options.tty,
              format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted}`,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, done);
        } else bar.update(done);
        return;
      }
      if (t - lastLine < intervalMs) return;
      lastLine = t;
      io.err(`${label} ${done}/${total}`);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
