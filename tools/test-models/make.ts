import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeTestModels } from './catalog.js';
import type { TestModelPaths } from './catalog.js';
import { DEFAULT_HEAVY_GFLOPS } from './heavy-encoder.js';
import { timeA2Encoder } from './measure.js';
import type { EncoderTiming } from './measure.js';

const USAGE = 'usage: npx tsx tools/test-models/make.ts --out DIR [--heavy-gflops N] [--measure]';

export interface MakeSummary {
  paths: TestModelPaths;
  /** Heavy encoder run time on this machine, when --measure was given. */
  heavyTiming?: EncoderTiming;
}

/** `make.ts` without the process: parses `argv` (flags only), writes the models. */
export async function runMake(argv: string[]): Promise<MakeSummary> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      'heavy-gflops': { type: 'string' },
      measure: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.out) throw new Error(`--out is required\n${USAGE}`);
  const rawGflops = values['heavy-gflops'];
  const heavyGflops = rawGflops === undefined ? DEFAULT_HEAVY_GFLOPS : Number(rawGflops);
  if (!Number.isFinite(heavyGflops) || heavyGflops <= 0) {
    throw new Error(`--heavy-gflops must be a positive number, got "${rawGflops}"`);
  }
  const paths = await writeTestModels(path.resolve(values.out), { heavyGflops });
  if (!values.measure) return { paths };
  return { paths, heavyTiming: await timeA2Encoder(paths.encoderA2Heavy) };
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  return script !== undefined && realpathSync(script) === fileURLToPath(import.meta.url);
}

if (invokedDirectly()) {
  runMake(process.argv.slice(2)).then(
    ({ paths, heavyTiming }) => {
      console.log(`wrote test models to ${paths.dir}`);
      console.log(JSON.stringify({ heavy: paths.heavy, heavyTiming }));
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
