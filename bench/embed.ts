/**
 * `npm run bench -- embed [--images N] [--passes P] [--read-ahead K] [--intra-op-threads T]
 * [--model NAME|DIR|FILE]`:
 * batch embedding throughput of the engine as `sam-annotator embed DIR` drives it
 * (SegmentationEngine.embedEach over an indexed folder, pictures decoded by the image service,
 * embeddings written to a disk cache) against raw ONNX Runtime `session.run` of the same encoder
 * file over the same input tensors, made beforehand (untimed) by the segmenter's own
 * preprocessing. The engine decodes the next pictures while one encodes (read-ahead K, 2 by
 * default), so the raw side's head start, its ready-made tensors, is what is left to win back.
 *
 * A third side runs the engine the way the command did before read-ahead (`serial`: one
 * engine.embed at a time, readAhead 0), so that each run shows what the overlap is worth.
 * Each pass embeds the whole batch with fresh caches (a new index, image service and embeddings
 * folder, as a new command run has); the sides take turns, the first one rotating every pass,
 * and each side counts with its median pass. Throughput = pictures per second of that pass.
 *
 * Pictures: the generated objects scene, alternately 1500x1000 and a 4000x3000 photo size, each
 * a few pixels wider than the last so that no two are alike, written as JPEG files. The
 * preprocessing is also timed on its own (`preprocessMs`, of which `decodeResizeMs` is the file
 * decode and shrink): it is what read-ahead hides.
 *
 * Model: the generated heavy contract A2 encoder (~40 GFLOPs, about MobileSAM's image encoder;
 * `--heavy-gflops N` for another cost), or the encoder of the pair --model names.
 * Target: ratio = imagesPerSecond / rawImagesPerSecond >= 0.95.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { defaultConfig } from '../src/config/index.js';
import { ImageIndex, ImageService } from '../src/dataset/index.js';
import { SegmentationEngine } from '../src/model/embedding/index.js';
import { openSamSegmenter, type SamSegmenter } from '../src/model/sam/index.js';
import { encoderInput, resizeContractOf } from '../src/model/sam/preprocess.js';
import { loadOrt } from '../src/model/sam/providers.js';
import { ensureTestModels } from '../tools/test-models/index.js';
import { type Benchmark, flagValue, log, nowMs, percentile, round } from './lib.js';
import {
  machineLoad,
  rawSession,
  resolveBenchModel,
  scenePictures,
  stringFlag,
  sum,
} from './sam-bench.js';

const TARGET_RATIO = 0.95;
const SIZES = [
  { width: 1500, height: 1000 },
  { width: 4000, height: 3000 },
];

interface EncoderUnderTest {
  label: string;
  encoderPath: string;
  /** openSamSegmenter checks the pair, so a decoder is needed although none runs. */
  decoderPath: string;
  gflops?: number;
}

async function encoderFrom(args: string[]): Promise<EncoderUnderTest> {
  const spec = stringFlag(args, '--model');
  if (spec !== undefined) {
    const model = await resolveBenchModel(spec);
    return { label: model.name, encoderPath: model.encoderPath, decoderPath: model.decoderPath };
  }
  const heavyGflops = flagValue(args, '--heavy-gflops', 40);
  const models = await ensureTestModels(undefined, { heavyGflops });
  return {
    label: 'test-a2-heavy',
    encoderPath: models.encoderA2Heavy,
    decoderPath: models.decoderSingle,
    gflops: round(models.heavy.gflops, 1),
  };
}

/** Largest absolute difference between two outputs: the two sides must compute the same thing. */
function largestDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function mean(values: number[]): number {
  return sum(values) / values.length;
}

/** The image service's share of memory in the command: it keeps no decoded pixels for a batch. */
const HOST_BUDGET = 2 * 1024 ** 3;

interface EnginePass {
  ms: number;
  /** CPU time of the whole process (every thread) over the pass. */
  cpuMs: number;
  encoded: number;
  /** Pictures decoded while another image encoded, and of those, ready when their turn came. */
  decodedAhead: number;
  decodedInTime: number;
}

/**
 * One `embed` run over `dir` with fresh caches: a new index, image service (no pixel caches, as
 * the command sets it) and embeddings folder. `pipelined` drives embedEach with read-ahead;
 * otherwise one engine.embed at a time with none, as the command did before.
 */
async function enginePass(
  segmenter: SamSegmenter,
  dir: string,
  pipelined: boolean,
  readAhead: number,
): Promise<EnginePass> {
  const config = defaultConfig();
  const index = ImageIndex.open(dir);
  const images = new ImageService(index, config, {
    hostBudgetBytes: HOST_BUDGET,
    budgets: { displayImages: 0, decodedImages: 0 },
  });
  const embeddingsDir = await mkdtemp(path.join(os.tmpdir(), 'sam-bench-embed-cache-'));
  const engine = new SegmentationEngine({
    segmenter,
    images,
    config,
    embeddingsDir,
    readAhead: pipelined ? readAhead : 0,
  });
  const ids = index.entries().map((entry) => entry.id);
  let encoded = 0;
  try {
    const start = nowMs();
    const cpuStart = process.cpuUsage();
    if (pipelined) {
      for await (const outcome of engine.embedEach(ids)) {
        if (!outcome.ok) throw outcome.error;
        if (outcome.result.tier === 'encoder') encoded++;
      }
    } else {
      for (const id of ids) if ((await engine.embed(id)).tier === 'encoder') encoded++;
    }
    const ms = nowMs() - start;
    const cpuMs = cpuMsSince(cpuStart);
    const { preparedAhead, preparedInTime } = engine.stats().queue;
    return {
      ms,
      cpuMs,
      encoded,
      decodedAhead: preparedAhead.batch,
      decodedInTime: preparedInTime.batch,
    };
  } finally {
    await engine.close();
    await rm(embeddingsDir, { recursive: true, force: true });
  }
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function median(values: number[]): number {
  return percentile(values, 50);
}

const bench: Benchmark = {
  name: 'embed',
  description: 'batch embedding throughput of the engine (embed command) vs raw ORT session.run',
  async run(args) {
    const count = flagValue(args, '--images', 8);
    const passes = flagValue(args, '--passes', 3);
    const readAhead = flagValue(args, '--read-ahead', 2);
    const encoder = await encoderFrom(args);
    const sizes = Array.from({ length: count }, (_, i) => {
      const size = SIZES[i % SIZES.length]!;
      return { width: size.width + 8 * i, height: size.height };
    });
    log(`writing ${count} pictures...`);
    const { pictures, dispose } = await scenePictures(sizes);
    const dir = path.dirname(pictures[0]!.file);
    // `--intra-op-threads N` (both sides alike): with fewer ONNX Runtime threads than cores, a
    // core is left for the pictures' decoding, as on a machine with more cores than ORT uses.
    const threads = flagValue(args, '--intra-op-threads', 0);
    const settings = threads > 0 ? { intraOpThreads: threads } : {};
    const segmenter = await openSamSegmenter(encoder, { id: encoder.label, settings });
    const raw = await rawSession(encoder.encoderPath, settings);
    try {
      const ort = await loadOrt();
      const contract = segmenter.encoderContract;
      const outputName = contract.kind === 'B' ? 'image_embed' : 'image_embeddings';

      // The preprocessing on its own, which also makes the raw side's tensors.
      const decodeResizeMs: number[] = [];
      const preprocessMs: number[] = [];
      const feeds: Record<string, Ort.Tensor>[] = [];
      for (const { image } of pictures) {
        const start = nowMs();
        await image.modelInput(resizeContractOf(contract));
        decodeResizeMs.push(nowMs() - start);
        const begin = nowMs();
        const input = await encoderInput(contract, image);
        preprocessMs.push(nowMs() - begin);
        feeds.push({ [input.name]: new ort.Tensor(input.type, input.data, input.dims) });
      }
      log(
        `preprocess ${round(mean(preprocessMs))} ms/picture ` +
          `(decode + resize ${round(mean(decodeResizeMs))} ms)`,
      );

      // Warm-up of both sessions that also checks both sides compute the same embedding.
      const embedding = await segmenter.encode(pictures[0]!.image);
      const rawOut = await raw.run(feeds[0]!, [outputName]);
      const difference = largestDifference(
        embedding.tensors[outputName]!.data as Float32Array,
        rawOut[outputName]!.data as Float32Array,
      );
      if (difference > 1e-4) {
        throw new Error(`encode() and the raw run differ by up to ${difference} on picture 0`);
      }

      const sides = {
        engine: async () => enginePass(segmenter, dir, true, readAhead),
        serial: async () => enginePass(segmenter, dir, false, readAhead),
        raw: async (): Promise<EnginePass> => {
          const start = nowMs();
          const cpuStart = process.cpuUsage();
          for (const feed of feeds) await raw.run(feed);
          return {
            ms: nowMs() - start,
            cpuMs: cpuMsSince(cpuStart),
            encoded: count,
            decodedAhead: 0,
            decodedInTime: 0,
          };
        },
      };
      const names = Object.keys(sides) as (keyof typeof sides)[];
      const runs: Record<keyof typeof sides, EnginePass[]> = { engine: [], serial: [], raw: [] };
      for (let pass = 0; pass < passes; pass++) {
        for (let k = 0; k < names.length; k++) {
          const name = names[(pass + k) % names.length]!;
          const result = await sides[name]();
          if (result.encoded !== count) {
            throw new Error(`${name} pass ${pass} encoded ${result.encoded} of ${count} pictures`);
          }
          runs[name].push(result);
        }
        log(
          `pass ${pass + 1}/${passes}: ` +
            names.map((n) => `${n} ${round(runs[n][pass]!.ms / count)} ms/picture`).join(', '),
        );
      }
      const perSecond = (name: keyof typeof sides) =>
        (1000 * count) / median(runs[name].map((r) => r.ms));
      const imagesPerSecond = perSecond('engine');
      const rawImagesPerSecond = perSecond('raw');
      const serialImagesPerSecond = perSecond('serial');
      const ratio = imagesPerSecond / rawImagesPerSecond;
      return {
        model: encoder.label,
        ...(encoder.gflops ? { gflops: encoder.gflops } : {}),
        images: count,
        passes,
        readAhead,
        imagesPerSecond: round(imagesPerSecond, 3),
        rawImagesPerSecond: round(rawImagesPerSecond, 3),
        ratio: round(ratio, 3),
        // Median over passes of raw / engine time: the sides of one pass ran back to back.
        pairedRatio: round(median(runs.raw.map((r, i) => r.ms / runs.engine[i]!.ms)), 3),
        target: TARGET_RATIO,
        met: ratio >= TARGET_RATIO,
        serialImagesPerSecond: round(serialImagesPerSecond, 3),
        serialRatio: round(serialImagesPerSecond / rawImagesPerSecond, 3),
        engineMsPerImage: round(1000 / imagesPerSecond),
        serialMsPerImage: round(1000 / serialImagesPerSecond),
        rawRunMs: round(1000 / rawImagesPerSecond),
        // CPU time per picture (all threads; median pass): what the engine adds to ORT's own.
        cpuMsPerImage: {
          engine: round(median(runs.engine.map((r) => r.cpuMs)) / count),
          raw: round(median(runs.raw.map((r) => r.cpuMs)) / count),
        },
        // Per pass: pictures decoded during another encode, and those ready before their turn.
        decodedAhead: runs.engine.map((r) => r.decodedAhead),
        decodedInTime: runs.engine.map((r) => r.decodedInTime),
        preprocessMs: round(mean(preprocessMs)),
        decodeResizeMs: round(mean(decodeResizeMs)),
        maxEmbeddingDifference: difference,
        sizes: SIZES.map((s) => `${s.width}x${s.height}`),
        intraOpThreads: threads > 0 ? threads : 'default',
        ...machineLoad(),
      };
    } finally {
      await Promise.all([segmenter.release(), raw.release()]);
      await dispose();
    }
  },
};

export default bench;
