#!/usr/bin/env node
// glibc gives each thread its own malloc arena and keeps what libvips and Buffers free there,
// so RSS stays high after the memory manager shrinks its caches and the manager cannot see its
// own work. Two arenas cut the display benchmark's peak RSS by about 30% at no speed cost. The
// variable only takes effect at process start, hence one re-exec (about 40 ms).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/bin.js', import.meta.url);

if (!existsSync(entry)) {
  console.error(
    `sam-annotator is not built (${fileURLToPath(entry)} is missing): run "npm ci" or "npm run build" first.`,
  );
  process.exit(1);
} else if (process.platform === 'linux' && process.env.MALLOC_ARENA_MAX === undefined) {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, MALLOC_ARENA_MAX: '2' } },
  );
  // Forward what is sent to this process alone (supervisors, timeout, kill). A terminal's Ctrl+C
  // reaches both processes; the child treats a repeated SIGINT like the first.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (err) => {
    console.error(`sam-annotator: cannot start ${process.execPath}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
  });
} else {
  await import(entry.href);
}
