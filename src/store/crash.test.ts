/**
 * Reliability: a child process makes changes in a loop and acknowledges each after its commit;
 * it is SIGKILLed at random points. Afterwards the database must pass integrity_check and hold
 * exactly the acknowledged changes, plus at most the one in flight (committed, not yet
 * acknowledged): the state equals a replay of the first k or k + 1 changes on a fresh project.
 * The writer checkpoints every few pages, so kills also land inside WAL checkpoints.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../geometry/testdata/shapes.js';
import { scriptCommand } from './testdata/built-script.js';
import { crashOp, crashSnapshot, setUpCrashProject } from './testdata/crash-ops.js';
import { tempProject } from './test-support.js';

const RUNS = 20;
const PARALLEL = 3;

/**
 * The writer as `npm run build` compiled it (starts in ~0.3 s); through tsx, seconds of
 * compiling per child, only when dist/ is missing or older than the sources.
 */
const WRITER = scriptCommand(
  fileURLToPath(new URL('./testdata/crash-writer.ts', import.meta.url)),
  fileURLToPath(new URL('..', import.meta.url)),
  fileURLToPath(new URL('../../dist', import.meta.url)),
);

interface CrashOutcome {
  seed: number;
  acked: number;
  /** How many changes the database holds: acked or acked + 1. */
  held: number | null;
  integrity: string[];
  foreignKeyProblems: number;
}

/** Starts the writer and kills it after `killAfter` acknowledgements plus a random moment. */
function runAndKill(
  dir: string,
  seed: number,
  killAfter: number,
  delayMs: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...WRITER.args, dir, String(seed)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killing = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const acks = out.split('\n').filter((l) => l.startsWith('ack ')).length;
      if (!killing && out.includes('ready\n') && acks >= killAfter) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (chunk) => (err += String(chunk)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') {
        reject(new Error(`writer ended by itself (code ${code}): ${err}`));
        return;
      }
      const acks = out.split('\n').filter((l) => l.startsWith('ack '));
      // Acknowledgements arrive in order, one per change.
      acks.forEach((line, k) => {
        if (line !== `ack ${k}`) reject(new Error(`acknowledgement ${k} reads ${line}`));
      });
      resolve(acks.length);
    });
  });
}

/** Snapshots of a crash-free run after `acked` and after `acked + 1` changes. */
function replay(seed: number, acked: number): [string, string] {
  const project = tempProject('sam-crash-replay-');
  try {
    const store = project.open();
    setUpCrashProject(store);
    for (let k = 0; k < acked; k++) crashOp(store, seed, k);
    const exact = crashSnapshot(store.db);
    crashOp(store, seed, acked);
    return [exact, crashSnapshot(store.db)];
  } finally {
    project.cleanup();
  }
}

async function crashRun(seed: number): Promise<CrashOutcome> {
  const random = seededRandom(seed);
  const project = tempProject('sam-crash-');
  try {
    const setup = project.open();
    setUpCrashProject(setup);
    setup.close();
    const acked = await runAndKill(project.dir, seed, Math.floor(random() * 25), random() * 3);
    const store = project.open();
    const crashed = crashSnapshot(store.db);
    const [exact, oneMore] = replay(seed, acked);
    const held = crashed === exact ? acked : crashed === oneMore ? acked + 1 : null;
    return {
      seed,
      acked,
      held,
      integrity: store.integrityCheck(),
      foreignKeyProblems: (store.db.pragma('foreign_key_check') as unknown[]).length,
    };
  } finally {
    project.cleanup();
  }
}

describe('crash safety (SIGKILL during writes)', () => {
  it(`keeps every acknowledged change over ${RUNS} killed writers`, async () => {
    const outcomes: CrashOutcome[] = [];
    const seeds = Array.from({ length: RUNS }, (_, i) => 1000 + i);
    for (let i = 0; i < seeds.length; i += PARALLEL) {
      outcomes.push(...(await Promise.all(seeds.slice(i, i + PARALLEL).map(crashRun))));
    }
    for (const outcome of outcomes) {
      expect(outcome.integrity, `seed ${outcome.seed}`).toEqual(['ok']);
      expect(outcome.foreignKeyProblems, `seed ${outcome.seed}`).toBe(0);
      expect(outcome.held, `seed ${outcome.seed}: ${outcome.acked} acknowledged`).not.toBeNull();
      expect([outcome.acked, outcome.acked + 1]).toContain(outcome.held);
    }
    // The kills landed at different points.
    expect(new Set(outcomes.map((o) => o.acked)).size).toBeGreaterThan(10);
    console.log(
      `crash runs: ${outcomes.length}, acknowledged changes ${outcomes.reduce((n, o) => n + o.acked, 0)}, ` +
        `runs where the change in flight had committed: ${outcomes.filter((o) => o.held === o.acked + 1).length}; ` +
        `writer ${WRITER.built ? 'from dist/' : `through tsx (${WRITER.reason})`}`,
    );
  }, 120_000);
});
