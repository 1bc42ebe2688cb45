/**
 * `npm run bench -- NAME [args]`: runs one benchmark. Progress goes to stdout as plain lines;
 * the last line is always one JSON object with the figures (or an error).
 */
import type { Benchmark } from './lib.js';

const BENCHMARKS: Record<string, () => Promise<{ default: Benchmark }>> = {
  dataset: () => import('./dataset.js'),
  display: () => import('./display.js'),
  rle: () => import('./rle.js'),
  predict: () => import('./predict.js'),
  embed: () => import('./embed.js'),
  quality: () => import('./quality.js'),
  switch: () => import('./switch.js'),
  cache: () => import('./cache.js'),
  store: () => import('./store.js'),
  export: () => import('./export.js'),
  auto: () => import('./auto.js'),
  server: () => import('./server.js'),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || !(name in BENCHMARKS)) {
    console.error(
      `usage: npm run bench -- NAME [args]\nbenchmarks: ${Object.keys(BENCHMARKS).join(', ')}`,
    );
    process.stdout.write(
      JSON.stringify({ error: `unknown benchmark ${JSON.stringify(name ?? '')}` }) + '\n',
    );
    return 2;
  }
  try {
    const bench = (await BENCHMARKS[name]!()).default;
    const figures = await bench.run(rest);
    process.stdout.write(JSON.stringify({ bench: name, ...figures }) + '\n');
    return 0;
  } catch (err) {
    console.error(err);
    process.stdout.write(JSON.stringify({ bench: name, error: (err as Error).message }) + '\n');
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
