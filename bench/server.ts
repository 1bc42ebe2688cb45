/**
 * `npm run bench -- server [--clicks N] [--seconds S] [--clients C] [--model NAME|DIR|FILE]`:
 * the annotation server's own cost.
 * 1. The same click through HTTP (POST /api/images/:id/predict on a listening server, keep-alive
 *    loopback, from a plain HTTP/1.1 client in a child process as a browser is: see
 *    server-http-client.ts) and straight into the engine (SegmentationEngine.predict, in the
 *    server's process), interleaved, each click at a new spot so that both sides run the decoder
 *    every time (checked: no answer may come from the prediction cache):
 *    `{httpP50Ms, engineP50Ms, ratio}`; target ratio <= 1.15.
 * 2. C (20) concurrent clients for S (30) seconds with autocannon, each clicking at spots spread
 *    over the pictures: throughput, p99 and errors (target 0).
 * Model: the generated C = 1 decoder with the heavy encoder (embeddings are computed once, before
 * timing), or the pair --model names. Pictures: 4 generated scenes of 1500x1000 as JPEG files.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { openAnnotationSession } from '../src/cli/annotation-session.js';
import { loadConfig, parseSetFlags } from '../src/config/index.js';
import { silentLogger } from '../src/log/logger.js';
import type { Prompt } from '../src/model/segmenter.js';
import { buildServer } from '../src/server/app.js';
import { objectsScene } from '../tools/test-models/test-support.js';
import type { ClientReply, ClientRequest } from './server-http-client.js';
import { type Benchmark, collect, flagValue, log, nowMs, percentile, round } from './lib.js';
import { benchSegmenter } from './segmenter-choice.js';

const PICTURES = 4;
/** Warm-up clicks sit past the timed ones (2 per click, 8,633 spots per picture). */
const WARM_UP_SPOT = 8000;

type Side = 'http' | 'engine';

/**
 * Garbage-collection pauses of this (the server's) process, summed by the timed call they began
 * in: the engine's allocations drive them, and where they land moves the ratio. An HTTP call's
 * window here runs from the hand-off to the client process until its answer comes back.
 */
function gcWatch(): {
  window(side: Side, from: number, to: number): void;
  stop(): Promise<Record<Side | 'between', number>>;
} {
  const pauses: Array<{ at: number; ms: number }> = [];
  const windows: Array<{ side: Side; from: number; to: number }> = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push({ at: entry.startTime, ms: entry.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  // nowMs() and performance.now() count from different origins.
  const origin = nowMs() - performance.now();
  return {
    window(side, from, to) {
      windows.push({ side, from: from - origin, to: to - origin });
    },
    async stop() {
      // The observer is told of a pause a little after it.
      await new Promise((resolve) => setTimeout(resolve, 50));
      observer.disconnect();
      const sums = { http: 0, engine: 0, between: 0 };
      for (const pause of pauses) {
        const side = windows.find((w) => pause.at >= w.from && pause.at < w.to)?.side;
        sums[side ?? 'between'] += pause.ms;
      }
      return { http: round(sums.http), engine: round(sums.engine), between: round(sums.between) };
    },
  };
}

interface HttpClient {
  post(request: ClientRequest): Promise<{ ms: number; cached: boolean }>;
  stop(): Promise<void>;
}

/** bench/server-http-client.ts in a child process, one request at a time. */
async function startHttpClient(): Promise<HttpClient> {
  const child = fork(fileURLToPath(new URL('./server-http-client.ts', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    post(request) {
      return new Promise((resolve, reject) => {
        const onExit = (code: number | null) =>
          reject(new Error(`the HTTP client process exited (code ${code})`));
        child.once('exit', onExit);
        child.once('message', (reply: ClientReply) => {
          child.off('exit', onExit);
          if ('error' in reply) reject(new Error(reply.error));
          else resolve(reply);
        });
        child.send(request);
      });
    },
    async stop() {
      if (child.connected) child.send('stop');
      await exited;
    },
  };
}

async function writePictures(dir: string): Promise<Prompt[]> {
  const clicks: Prompt[] = [];
  for (let i = 0; i < PICTURES; i++) {
    const scene = objectsScene(1500, 1000);
    await sharp(scene.rgb, { raw: { width: scene.width, height: scene.height, channels: 3 } })
      .jpeg({ quality: 92 })
      .toFile(path.join(dir, `scene-${i}.jpg`));
    const [x, y] = scene.inside.blue;
    clicks.push({ points: [{ x, y, label: 1 }] });
  }
  return clicks;
}

/**
 * Clicks a little apart (8,633 distinct spots per picture), so that the prediction cache does not
 * answer and every request, on both sides, runs the decoder.
 */
function jitter(prompt: Prompt, n: number): Prompt {
  const p = prompt.points[0]!;
  return {
    points: [{ x: p.x - 48 + (n % 97), y: p.y - 44 + (Math.floor(n / 97) % 89), label: 1 }],
  };
}

const benchmark: Benchmark = {
  name: 'server',
  description: 'predict over HTTP vs in-process engine; 20 concurrent clients for 30 s',
  async run(args) {
    const clicks = flagValue(args, '--clicks', 200);
    const seconds = flagValue(args, '--seconds', 30);
    const clients = flagValue(args, '--clients', 20);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sam-bench-server-'));
    const { segmenter, label } = await benchSegmenter(args, 'encoderA2Heavy', 'decoderSingle');
    log(`model: ${label}`);
    try {
      const prompts = await writePictures(dir);
      const config = loadConfig({
        env: {},
        flags: parseSetFlags(['prefetch.depth=0']),
      });
      const session = await openAnnotationSession({
        datasetDir: dir,
        segmenter,
        config,
        logger: silentLogger,
        version: 'bench',
        webRoot: null,
      });
      const server = await buildServer(session.deps, { host: '127.0.0.1', token: null });
      await server.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = server.app.server.address() as { port: number };
      const base = `http://127.0.0.1:${port}`;
      const { store, engine } = session.deps;
      const images = store.images.list({ limit: PICTURES }).items;
      log(`encoding ${images.length} pictures once`);
      for (const image of images) await engine.open(image.key);

      // The HTTP client runs in a child process, as a browser does: its request writing, parsing
      // and garbage collection are not the server's cost. The engine side runs here, in the
      // server's process, interleaved with it.
      const client = await startHttpClient();
      const post = async (id: number, prompt: Prompt): Promise<{ ms: number; cached: boolean }> =>
        client.post({
          port,
          path: `/api/images/${id}/predict`,
          body: JSON.stringify({ points: prompt.points }),
        });
      // Warm both paths (JIT, sessions, connection), at spots the timed clicks never use.
      for (let i = 0; i < 5; i++) {
        await post(images[0]!.id, jitter(prompts[0]!, WARM_UP_SPOT + 2 * i));
        await engine.predict(images[0]!.key, jitter(prompts[0]!, WARM_UP_SPOT + 2 * i + 1));
      }
      collect();
      const httpMs: number[] = [];
      const engineMs: number[] = [];
      let cachedAnswers = 0;
      const gc = gcWatch();
      for (let n = 0; n < clicks; n++) {
        const k = n % images.length;
        const image = images[k]!;
        const order = n % 2 === 0;
        for (const side of (order ? ['http', 'engine'] : ['engine', 'http']) as Side[]) {
          // Neighbouring spots: the same work, but never the other side's cached answer.
          const prompt = jitter(prompts[k]!, 2 * n + (side === 'http' ? 0 : 1));
          // One turn of the event loop first, on both sides, as a click reaches a server between
          // events: tasks V8 queued during the previous call (finishing a garbage collection its
          // allocations started) run now, not inside the next call. Without it an engine call's
          // leftovers fell into the next HTTP call, which waits in the event loop for its
          // request, while an engine call returns before the loop turns and never took them.
          await new Promise((resolve) => setImmediate(resolve));
          const start = nowMs();
          if (side === 'http') {
            const answer = await post(image.id, prompt);
            httpMs.push(answer.ms);
            if (answer.cached) cachedAnswers++;
          } else {
            const result = await engine.predict(image.key, prompt);
            engineMs.push(nowMs() - start);
            if (result.cached) cachedAnswers++;
          }
          gc.window(side, start, nowMs());
        }
      }
      const gcMs = await gc.stop();
      await client.stop();
      // Both sides must run the decoder every time, or the ratio compares different work.
      if (cachedAnswers > 0) {
        throw new Error(`${cachedAnswers} timed predictions came from the prediction cache`);
      }
      const httpP50Ms = round(percentile(httpMs, 50));
      const engineP50Ms = round(percentile(engineMs, 50));
      const ratio = round(httpP50Ms / engineP50Ms, 3);
      log(`predict: http p50 ${httpP50Ms} ms, engine p50 ${engineP50Ms} ms, ratio ${ratio}`);
      log(
        `predict: server GC pauses during http calls ${gcMs.http} ms, engine calls ` +
          `${gcMs.engine} ms, between ${gcMs.between} ms`,
      );

      log(`load: ${clients} clients for ${seconds} s`);
      let counter = 10_000;
      const load = await autocannon({
        url: base,
        connections: clients,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request) => {
              const n = counter++;
              const k = n % images.length;
              const prompt = jitter(prompts[k]!, n);
              return {
                ...request,
                path: `/api/images/${images[k]!.id}/predict`,
                body: JSON.stringify({ points: prompt.points }),
              };
            },
          },
        ],
      });
      const errors = load.errors + load.timeouts + load.non2xx;
      const throughput = round(load.requests.total / seconds);
      log(
        `load: ${load.requests.total} requests, ${throughput}/s, p50 ${load.latency.p50} ms, ` +
          `p99 ${load.latency.p99} ms, errors ${errors}`,
      );
      await server.close();
      await session.close();
      return {
        model: label,
        clicks,
        httpP50Ms,
        httpP95Ms: round(percentile(httpMs, 95)),
        engineP50Ms,
        engineP95Ms: round(percentile(engineMs, 95)),
        ratio,
        gcMs,
        clients,
        seconds,
        requests: load.requests.total,
        throughputPerSecond: throughput,
        p50Ms: load.latency.p50,
        p99Ms: load.latency.p99,
        errors,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default benchmark;
