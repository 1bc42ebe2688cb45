/**
 * `npm run bench -- embed [--images N] [--passes P] [--model NAME|DIR|FILE]`: batch embedding
 * throughput of SamSegmenter.encode over N generated pictures (8 by default) against raw ONNX
 * Runtime `session.run` of the same encoder file on the same input tensors, made beforehand
 * (untimed) by the segmenter's own preprocessing. After one warm-up run of each, the two take
 * turns picture by picture over P passes of the batch (3 by default); each picture counts with
 * its median time over the passes, so one disturbed run on a shared machine does not decide the
 * figure. Throughput = pictures per second of those times.
 *
 * Pictures: the generated objects scene, alternately 1500x1000 and a 4000x3000 photo size, each
 * a few pixels wider than the last so that no two are alike, written as JPEG files; encode()
 * reads them through the dataset module as the application does (LazyImage: decode, sharp
 * shrink to the model size), then normalises and pads. That preprocessing is part of encode()
 * and timed on its own too (`preprocessMs`, of which `decodeResizeMs` is the file decode and
 * shrink), so a missed target can be told apart from overhead in the segmenter itself
 * (`otherMs`).
 *
 * Model: the generated heavy contract A2 encoder (~40 GFLOPs, about MobileSAM's image encoder;
 * `--heavy-gflops N` for another cost), or the encoder of the pair --model names.
 * Target: ratio = imagesPerSecond / rawImagesPerSecond >= 0.95.
 */
import type * as Ort from 'onnxruntime-node';
import { openSamSegmenter } from '../src/model/sam/index.js';
import { encoderInput, resizeContractOf } from '../src/model/sam/preprocess.js';
import { loadOrt } from '../src/model/sam/providers.js';
import { ensureTestModels } from '../tools/test-models/index.js';
import { type Benchmark, flagValue, log, nowMs, percentile, round } from './lib.js';
import {
  interleaved,
  machineLoad,
  pairedRatio,
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

const bench: Benchmark = {
  name: 'embed',
  description: 'batch SamSegmenter.encode throughput vs raw ORT session.run on the same tensors',
  async run(args) {
    const count = flagValue(args, '--images', 8);
    const passes = flagValue(args, '--passes', 3);
    const encoder = await encoderFrom(args);
    const sizes = Array.from({ length: count }, (_, i) => {
      const size = SIZES[i % SIZES.length]!;
      return { width: size.width + 8 * i, height: size.height };
    });
    log(`writing ${count} pictures...`);
    const { pictures, dispose } = await scenePictures(sizes);
    const segmenter = await openSamSegmenter(encoder, { id: encoder.label });
    const raw = await rawSession(encoder.encoderPath);
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

      // Warm-up that also checks both sides compute the same embedding.
      const embedding = await segmenter.encode(pictures[0]!.image);
      const rawOut = await raw.run(feeds[0]!, [outputName]);
      const difference = largestDifference(
        embedding.tensors[outputName]!.data as Float32Array,
        rawOut[outputName]!.data as Float32Array,
      );
      if (difference > 1e-4) {
        throw new Error(`encode() and the raw run differ by up to ${difference} on picture 0`);
      }

      const times = await interleaved(
        count * passes,
        0,
        (i) => segmenter.encode(pictures[i % count]!.image),
        (i) => raw.run(feeds[i % count]!),
      );
      const perPicture = (samples: number[]): number[] =>
        pictures.map((_, p) =>
          percentile(
            samples.filter((_, i) => i % count === p),
            50,
          ),
        );
      const encodeMs = mean(perPicture(times.a.ms));
      const runMs = mean(perPicture(times.b.ms));
      const imagesPerSecond = 1000 / encodeMs;
      const rawImagesPerSecond = 1000 / runMs;
      const ratio = imagesPerSecond / rawImagesPerSecond;
      log(`encode ${round(encodeMs)} ms/picture, raw run ${round(runMs)} ms/picture`);
      return {
        model: encoder.label,
        ...(encoder.gflops ? { gflops: encoder.gflops } : {}),
        images: count,
        passes,
        imagesPerSecond: round(imagesPerSecond, 3),
        rawImagesPerSecond: round(rawImagesPerSecond, 3),
        ratio: round(ratio, 3),
        pairedRatio: round(pairedRatio(times.b.ms, times.a.ms), 3),
        target: TARGET_RATIO,
        met: ratio >= TARGET_RATIO,
        encodeMs: round(encodeMs),
        rawRunMs: round(runMs),
        preprocessMs: round(mean(preprocessMs)),
        decodeResizeMs: round(mean(decodeResizeMs)),
        preprocessShare: round(mean(preprocessMs) / encodeMs, 3),
        ratioWithoutPreprocess: round(runMs / (encodeMs - mean(preprocessMs)), 3),
        otherMs: round(encodeMs - runMs - mean(preprocessMs)),
        pageFaultsP50: percentile(times.a.pageFaults, 50),
        rawPageFaultsP50: percentile(times.b.pageFaults, 50),
        maxEmbeddingDifference: difference,
        sizes: SIZES.map((s) => `${s.width}x${s.height}`),
        ...machineLoad(),
      };
    } finally {
      await Promise.all([segmenter.release(), raw.release()]);
      await dispose();
    }
  },
};

export default bench;
