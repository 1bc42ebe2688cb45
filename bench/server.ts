/**
 * `npm run bench -- server [--clicks N] [--seconds S] [--clients C] [--model NAME|DIR|FILE]`:
 * the annotation server's own cost.
 * 1. The same click through HTTP (POST /api/images/:id/predict on a listening server, keep-alive
 *    loopback) and straight into the engine (SegmentationEngine.predict), interleaved, each click
 *    at a new spot so that both sides run the decoder every time: `{httpP50Ms,
 *    engineP50Ms, ratio}`; target ratio <= 1.15.
 * 2. C (20) concurrent clients for S (30) seconds with autocannon, each clicking at spots spread
 *    over the pictures: throughput, p99 and errors (target 0).
 * Model: the generated C = 1 decoder with the heavy encoder (embeddings are computed once, before
 * timing), or the pair --model names. Pictures: 4 generated scenes of 1500x1000 as JPEG files.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { openAnnotationSession } from '../src/cli/annotation-session.js';
import { loadConfig, parseSetFlags } from '../src/config/index.js';
import { silentLogger } from '../src/log/logger.js';
import type { Prompt } from '../src/model/segmenter.js';
import { buildServer } from '../src/server/app.js';
import { objectsScene } from '../tools/test-models/test-support.js';
import { type Benchmark, collect, flagValue, log, nowMs, percentile, round } from './lib.js';
import { benchSegmenter } from './segmenter-choice.js';

const PICTURES = 4;

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
    const clicks = flagValue(args, '--clicks', 60);
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

      // node:http with keep-alive, as a browser holds its connection; fetch (undici) would add
      // its own per-request cost inside this same process.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const post = (id: number, prompt: Prompt): Promise<void> =>
        new Promise((resolve, reject) => {
          const body = JSON.stringify({ points: prompt.points });
          const req = httpRequest(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: `/api/images/${id}/predict`,
              agent,
              headers: {
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(body),
              },
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (chunk: Buffer) => chunks.push(chunk));
              res.on('end', () => {
                if (res.statusCode === 200) resolve();
                else
                  reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString()}`));
              });
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      // Warm both paths (JIT, sessions, connection).
      for (let i = 0; i < 5; i++) {
        await post(images[0]!.id, jitter(prompts[0]!, 100 + i));
        await engine.predict(images[0]!.key, jitter(prompts[0]!, 200 + i));
      }
      collect();
      const httpMs: number[] = [];
      const engineMs: number[] = [];
      for (let n = 0; n < clicks; n++) {
        const k = n % images.length;
        const image = images[k]!;
        const order = n % 2 === 0;
        for (const side of order ? ['http', 'engine'] : ['engine', 'http']) {
          // Neighbouring spots: the same work, but never the other side's cached answer.
          const prompt = jitter(prompts[k]!, 2 * n + (side === 'http' ? 0 : 1));
          const start = nowMs();
          if (side === 'http') await post(image.id, prompt);
          else await engine.predict(image.key, prompt);
          (side === 'http' ? httpMs : engineMs).push(nowMs() - start);
        }
      }
      const httpP50Ms = round(percentile(httpMs, 50));
      const engineP50Ms = round(percentile(engineMs, 50));
      const ratio = round(httpP50Ms / engineP50Ms, 3);
      log(`predict: http p50 ${httpP50Ms} ms, engine p50 ${engineP50Ms} ms, ratio ${ratio}`);

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
      agent.destroy();
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
