/**
 * Measurement, not a test: click latency of the SAM backend on a 1-megapixel and a 24-megapixel
 * picture, with the capped decode size (the default) and with the decoder upsampling to the
 * original size. Uses the generated test models (a contract A decoder costs ~30-75 ms warm).
 *
 *   npx tsx src/model/sam/test-decode-latency.ts [--reps N] [--no-full]
 *
 * Prints one line per case and a JSON summary last.
 */
import { defaultConfig } from '../../config/index.js';
import { rleIou, type CompressedRle } from '../../geometry/index.js';
import { objectsScene } from '../../../tools/test-models/test-support.js';
import type { Prompt } from '../segmenter.js';
import {
  openTestPair,
  sceneImage,
  type DecoderRole,
  type EncoderRole,
} from './sam-test-support.js';

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1]) || 7;
const withFull = !args.includes('--no-full');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Median wall time and median process CPU time (all threads, ONNX Runtime's included) of `fn`:
 * the CPU figure stays meaningful when other work shares the machine.
 */
async function time(fn: () => Promise<unknown>, n: number): Promise<{ wall: number; cpu: number }> {
  await fn(); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const before = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(before);
    wall.push(performance.now() - start);
    cpu.push((used.user + used.system) / 1000);
  }
  const round = (v: number): number => Math.round(v * 10) / 10;
  return { wall: round(median(wall)), cpu: round(median(cpu)) };
}

const sizes = [
  { name: '1MP', width: 1224, height: 816 },
  { name: '24MP', width: 6000, height: 4000 },
];
const pairs: [EncoderRole, DecoderRole][] = [
  ['encoderA2', 'decoderSingle'],
  ['encoderA2', 'decoderMulti'],
  ['encoderSam2', 'decoderSam2'],
];
const results: Record<string, { wall: number; cpu: number }> = {};
/** Lowest mask IoU between the capped and the full-size path, per picture size. */
const agreement: Record<string, number> = {};

for (const size of sizes) {
  const scene = objectsScene(size.width, size.height);
  const image = await sceneImage(scene);
  const [bx0, by0, bx1, by1] = scene.blueBox;
  const prompts: Record<string, Prompt> = {
    click: { points: [{ x: scene.inside.blue[0], y: scene.inside.blue[1], label: 1 }] },
    twoClicks: {
      points: [
        { x: scene.inside.rect[0], y: scene.inside.rect[1], label: 1 },
        { x: scene.inside.twin[0], y: scene.inside.twin[1], label: 0 },
      ],
    },
    box: { points: [], box: { x0: bx0, y0: by0, x1: bx1, y1: by1 } },
  };
  for (const [encoder, decoder] of pairs) {
    const masks: Record<string, CompressedRle[]> = {};
    const variants: [string, number][] = [['capped', 1024]];
    if (withFull && encoder !== 'encoderSam2') variants.push(['full', 65536]);
    for (const [variant, maxDecodeSide] of variants) {
      const segmenter = await openTestPair(encoder, decoder, {
        config: defaultConfig().with({ 'model.maxDecodeSide': maxDecodeSide }),
      });
      const embedding = await segmenter.encode(image);
      for (const [promptName, prompt] of Object.entries(prompts)) {
        // The uncapped path on 24 MP is slow and large: fewer repetitions.
        const n = variant === 'full' && size.name === '24MP' ? 2 : reps;
        const ms = await time(() => segmenter.predict(embedding, prompt), n);
        const key = `${size.name}.${decoder}.${variant}.${promptName}`;
        results[key] = ms;
        console.log(`${key}: p50 wall ${ms.wall} ms, cpu ${ms.cpu} ms`);
        const rles = (await segmenter.predict(embedding, prompt)).map((c) => c.rle);
        const other = masks[promptName];
        if (other) {
          const lowest = Math.min(...rles.map((rle, i) => rleIou(rle, other[i]!)));
          agreement[size.name] = Math.min(agreement[size.name] ?? 1, lowest);
        }
        masks[promptName] = rles;
      }
      await segmenter.release();
    }
  }
}
console.log(
  JSON.stringify({ measure: 'sam-decode-latency', p50Ms: results, minIouCappedVsFull: agreement }),
);
