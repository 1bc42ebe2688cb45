/**
 * `npm run bench -- predict [--reps N] [--warmup N] [--model NAME|DIR|FILE] [--edgesam]
 * [--spinning on|off]`: one click -> masks through SamSegmenter.predict on a cached embedding
 * (prompt checks and conversion, decoder run, candidate selection, logits resampled to the
 * original size, COCO RLE) against a plain decoder `session.run` on the same feeds built by hand
 * from the reference's rules, returning every output the decoder has (masks included, no
 * post-processing), the two taking turns after a warm-up (40 timed rounds and 5 warm-up rounds
 * by default).
 *
 * Pictures: the generated objects scene at 1500x1000 and 6000x4000, written as JPEG files and
 * encoded once each; the click is on the blue disc. The feeds are the engine's (orig_im_size =
 * SamSegmenter.decodeSize: the 1024 model frame for pictures above model.maxDecodeSide). A
 * contract A decoder with low-res logits is not asked for its full-size masks by the engine,
 * which resamples them itself near the mask; `rawEngineFetchesP50Ms` times the decoder fetching
 * only what the engine fetches, and `ratioVsRawEngineFetches` compares against that. For
 * pictures above model.maxDecodeSide `rawAtOriginalP50Ms` also times the reference way (the
 * decoder upsamples to the original size itself). For contract A decoders the engine's own work
 * is also timed stage by stage on the raw outputs, warm and on their own (`stages`);
 * `pageFaultsP50` shows the runs did not pay for fresh memory (see interleaved()).
 *
 * Models: the generated contract A test decoders with C = 1 and C = 4 (the light A2 encoder: it
 * gives the heavy encoder's embedding exactly, and encoding is not timed here), with
 * `--edgesam` also the EdgeSAM test decoder (low-res logits only: the engine resamples them to
 * the frame, then to the original size), or the pair that --model names. Target: ratio = p50Ms / rawP50Ms <= 1.1.
 *
 * `--spinning` sets ONNX Runtime's thread spinning (SessionSettings.threadSpinning) on both
 * sides alike; without it both get the engine's default (off).
 */
import type * as Ort from 'onnxruntime-node';
import { type Size } from '../src/geometry/index.js';
import { candidateSelection } from '../src/model/sam/candidates.js';
import { LOW_RES_SIDE, type DecoderContract } from '../src/model/sam/contract.js';
import { decoderFeeds, decoderFetches } from '../src/model/sam/decoder-feeds.js';
import { openSamSegmenter, type SamSegmenter } from '../src/model/sam/index.js';
import { frameLogits } from '../src/model/sam/frame-logits.js';
import { gridStats, type GridStats, type LogitGrid } from '../src/model/sam/grid-stats.js';
import { frameSize } from '../src/model/sam/preprocess.js';
import { upsampleMask } from '../src/model/sam/logit-mask.js';
import { loadOrt } from '../src/model/sam/providers.js';
import { regionRle } from '../src/model/sam/region-rle.js';
import type { Candidate, Embedding, Prompt } from '../src/model/segmenter.js';
import { ensureTestModels } from '../tools/test-models/index.js';
import { sam1ResizedSize } from '../tools/test-models/test-support.js';
import { type Benchmark, flagValue, log, nowMs, percentile, round } from './lib.js';
import {
  interleaved,
  machineLoad,
  pairedRatio,
  rawSession,
  resolveBenchModel,
  scenePictures,
  stringFlag,
  type ScenePicture,
} from './sam-bench.js';

const SIZES = [
  { width: 1500, height: 1000 },
  { width: 6000, height: 4000 },
];
const TARGET_RATIO = 1.1;
const ORIGINAL_SIZE_REPS = 3;
const STAGE_REPS = 15;

interface Pair {
  label: string;
  encoderPath: string;
  decoderPath: string;
}

async function pairsFrom(args: string[]): Promise<Pair[]> {
  const spec = stringFlag(args, '--model');
  if (spec !== undefined) {
    const model = await resolveBenchModel(spec);
    return [{ label: model.name, encoderPath: model.encoderPath, decoderPath: model.decoderPath }];
  }
  const models = await ensureTestModels();
  const pairs = [
    { label: 'test-C1', encoderPath: models.encoderA2, decoderPath: models.decoderSingle },
    { label: 'test-C4', encoderPath: models.encoderA2, decoderPath: models.decoderMulti },
  ];
  if (args.includes('--edgesam')) {
    const decoderPath = models.decoderEdgeSam;
    pairs.push({ label: 'test-EdgeSAM', encoderPath: models.encoderA2Image, decoderPath });
  }
  return pairs;
}

/** A pixel, clicked on its centre: the reference names it (i, j), our original space (i+.5, j+.5). */
interface Pixel {
  i: number;
  j: number;
}

/**
 * The decoder feeds for one positive click, written from the references rather than through
 * src/: SamPredictor.apply_coords scales pixel indices by the resized / original sizes
 * (ResizeLongestSide) or by 1024 / original (SAM 2's squash); SamOnnxModel takes a padding
 * point (0, 0, -1) after the clicks, the SAM 2 graph appends its own.
 */
function handFeeds(
  ort: typeof Ort,
  contract: DecoderContract,
  embedding: Embedding,
  click: Pixel,
  decodeSize: Size,
): Record<string, Ort.Tensor> {
  const { width, height } = embedding.original;
  const stored = (name: string): Ort.Tensor => {
    const t = embedding.tensors[name]!;
    return new ort.Tensor('float32', t.data as Float32Array, t.dims);
  };
  const values = (data: number[], dims: number[]): Ort.Tensor =>
    new ort.Tensor('float32', Float32Array.from(data), dims);
  const noMask = {
    mask_input: new ort.Tensor('float32', new Float32Array(LOW_RES_SIDE * LOW_RES_SIDE), [
      1,
      1,
      LOW_RES_SIDE,
      LOW_RES_SIDE,
    ]),
    has_mask_input: values([0], [1]),
  };
  if (contract.kind === 'B') {
    return {
      image_embed: stored('image_embed'),
      high_res_feats_0: stored('high_res_feats_0'),
      high_res_feats_1: stored('high_res_feats_1'),
      point_coords: values([(click.i * 1024) / width, (click.j * 1024) / height], [1, 1, 2]),
      point_labels: values([1], [1, 1]),
      ...noMask,
    };
  }
  const resized = sam1ResizedSize(width, height);
  const feeds: Record<string, Ort.Tensor> = {
    image_embeddings: stored('image_embeddings'),
    point_coords: values(
      [(click.i * resized.width) / width, (click.j * resized.height) / height, 0, 0],
      [1, 2, 2],
    ),
    point_labels: values([1, -1], [1, 2]),
  };
  if (contract.kind === 'edgesam') return feeds;
  return {
    ...feeds,
    ...noMask,
    orig_im_size: values([decodeSize.height, decodeSize.width], [2]),
  };
}

/**
 * Throws unless the hand-built feeds are what SamSegmenter feeds its decoder for the prompt
 * (same names and dims, values within float32 rounding): otherwise the ratio compares two
 * different runs.
 */
function checkSameFeeds(
  hand: Record<string, Ort.Tensor>,
  segmenter: SamSegmenter,
  embedding: Embedding,
  prompt: Prompt,
): void {
  const decodeSize = segmenter.decodeSize(embedding.original);
  const engine = decoderFeeds(segmenter.decoderContract, embedding, prompt, decodeSize);
  const names = (o: object): string => Object.keys(o).sort().join(',');
  if (names(hand) !== names(engine)) {
    throw new Error(`feed names differ: hand-built ${names(hand)}, engine ${names(engine)}`);
  }
  for (const [name, { data, dims }] of Object.entries(engine)) {
    const mine = hand[name]!;
    const values = mine.data as Float32Array;
    const worst = data.reduce((m, v, k) => Math.max(m, Math.abs(v - values[k]!)), 0);
    if (mine.dims.join(',') !== dims.join(',') || values.length !== data.length || worst > 1e-3) {
      throw new Error(
        `feed ${name} differs: hand-built [${mine.dims.join(',')}], engine [${dims.join(',')}], ` +
          `largest difference ${worst}`,
      );
    }
  }
}

/**
 * Throws unless every engine candidate has a raw mask plane of about the same area (scaled from
 * the decoded size to the original): the engine's masks must be the decoder's.
 */
function checkSameMasks(
  candidates: Candidate[],
  outputs: Ort.InferenceSession.ReturnType,
  original: Size,
): void {
  const masks = outputs.masks!;
  const [, count = 0, h = 0, w = 0] = masks.dims;
  const data = masks.data as Float32Array;
  const scale = (original.width * original.height) / (w * h);
  const areas = Array.from({ length: count }, (_, k) => {
    let n = 0;
    for (let p = k * w * h; p < (k + 1) * w * h; p++) if (data[p]! > 0) n++;
    return n * scale;
  });
  for (const [c, candidate] of candidates.entries()) {
    const close = areas.some((a) => Math.abs(a - candidate.area) <= 0.03 * Math.max(a, 1));
    if (!close || candidate.area === 0) {
      throw new Error(
        `candidate ${c} has area ${candidate.area}; the raw planes have ${areas.map((a) => Math.round(a)).join(', ')}`,
      );
    }
  }
}

function medianMs(reps: number, fn: () => unknown): number {
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const start = nowMs();
    fn();
    samples.push(nowMs() - start);
  }
  return percentile(samples, 50);
}

/**
 * The engine's post-processing of one contract A run, stage by stage (all selected candidates):
 * the logits over the picture's part of the 1024 frame with their statistics and positive runs
 * (frame-logits.ts frameLogits from the low-res logits, or grid-stats.ts gridStats over the
 * decoded masks for a decoder without them), the bilinear upsample to the original size as row
 * runs (logit-mask.ts upsampleMask), and the COCO RLE of those runs (regionRle).
 */
function contractAStages(
  outputs: Ort.InferenceSession.ReturnType,
  original: Size,
  frame: Size,
): Record<string, number> {
  const lowRes = outputs.low_res_masks;
  const source = lowRes ?? outputs.masks!;
  const [, count = 0, h = 0, w = 0] = source.dims;
  const { ranked } = candidateSelection(count, true);
  const planes = ranked.map((k) => ({
    width: w,
    height: h,
    data: (source.data as Float32Array).subarray(k * w * h, (k + 1) * w * h),
  }));
  const logits = (): { grid: LogitGrid; stats: GridStats }[] =>
    planes.map((plane) =>
      lowRes
        ? frameLogits(plane, LOW_RES_SIDE / 1024, frame)
        : { grid: plane, stats: gridStats(plane) },
    );
  const grids = logits();
  const regions = grids.map(({ grid, stats }) => upsampleMask(grid, stats, original));
  for (let warm = 0; warm < 3; warm++) regions.forEach((r) => regionRle(r, original));
  return {
    [lowRes ? 'frameLogitsMs' : 'gridStatsMs']: round(medianMs(STAGE_REPS, logits), 2),
    upsampleMs: round(
      medianMs(STAGE_REPS, () =>
        grids.forEach(({ grid, stats }) => upsampleMask(grid, stats, original)),
      ),
      2,
    ),
    rleMs: round(
      medianMs(STAGE_REPS, () => regions.forEach((r) => regionRle(r, original))),
      2,
    ),
  };
}

async function measureCase(
  segmenter: SamSegmenter,
  raw: Ort.InferenceSession,
  picture: ScenePicture,
  reps: number,
  warmup: number,
): Promise<Record<string, unknown>> {
  const ort = await loadOrt();
  const embedding = await segmenter.encode(picture.image);
  const original = embedding.original;
  const [cx, cy] = picture.scene.inside.blue;
  const click = { i: Math.floor(cx), j: Math.floor(cy) };
  const prompt: Prompt = { points: [{ x: click.i + 0.5, y: click.j + 0.5, label: 1 }] };
  const contract = segmenter.decoderContract;
  const decodeSize = segmenter.decodeSize(original);
  const feeds = handFeeds(ort, contract, embedding, click, decodeSize);
  checkSameFeeds(feeds, segmenter, embedding, prompt);
  // The raw side is a plain session.run: every output the decoder has, masks included.
  const fetches = raw.outputNames;
  const engineFetches = decoderFetches(contract);

  const candidates = await segmenter.predict(embedding, prompt);
  const outputs = await raw.run(feeds, fetches);
  if (contract.kind === 'A') checkSameMasks(candidates, outputs, original);

  const times = await interleaved(
    reps,
    warmup,
    () => segmenter.predict(embedding, prompt),
    () => raw.run(feeds, fetches),
  );
  // The decoder on its own fetching only what the engine fetches (contract A: the low-res
  // logits and scores, not the full-size masks), for context: what is left of the engine's cost
  // once ONNX Runtime's copy of the masks is not counted.
  const fewer = engineFetches.length < fetches.length;
  const fetchedOnly = fewer
    ? await interleaved(
        reps,
        warmup,
        () => segmenter.predict(embedding, prompt),
        () => raw.run(feeds, engineFetches),
      )
    : null;
  const p50Ms = percentile(times.a.ms, 50);
  const rawP50Ms = percentile(times.b.ms, 50);
  const row: Record<string, unknown> = {
    // Only contract A decoders take the size; the others return low-res logits.
    ...(contract.kind === 'A' ? { decodeSize: `${decodeSize.width}x${decodeSize.height}` } : {}),
    candidates: candidates.length,
    p50Ms: round(p50Ms),
    p95Ms: round(percentile(times.a.ms, 95)),
    rawP50Ms: round(rawP50Ms),
    rawP95Ms: round(percentile(times.b.ms, 95)),
    ratio: round(p50Ms / rawP50Ms, 3),
    pairedRatio: round(pairedRatio(times.a.ms, times.b.ms), 3),
    overheadMs: round(p50Ms - rawP50Ms),
    pageFaultsP50: percentile(times.a.pageFaults, 50),
    rawPageFaultsP50: percentile(times.b.pageFaults, 50),
  };
  if (fetchedOnly) {
    const engine = percentile(fetchedOnly.a.ms, 50);
    const decoder = percentile(fetchedOnly.b.ms, 50);
    row.rawEngineFetchesP50Ms = round(decoder);
    row.ratioVsRawEngineFetches = round(engine / decoder, 3);
  }
  if (contract.kind === 'A') {
    row.stages = contractAStages(outputs, original, frameSize(original, segmenter.encoderContract));
  }
  if (contract.kind === 'A' && decodeSize.width !== original.width) {
    // The reference way: the decoder itself upsamples every candidate to the original size.
    const full = {
      ...feeds,
      orig_im_size: new ort.Tensor('float32', [original.height, original.width], [2]),
    };
    const samples: number[] = [];
    for (let r = 0; r < ORIGINAL_SIZE_REPS; r++) {
      const start = nowMs();
      await raw.run(full, fetches);
      samples.push(nowMs() - start);
    }
    row.rawAtOriginalP50Ms = round(percentile(samples, 50));
    row.ratioVsRawAtOriginal = round(p50Ms / percentile(samples, 50), 3);
  }
  return row;
}

/** `--spinning on|off` as a boolean, undefined when absent. */
function spinningFlag(args: string[]): boolean | undefined {
  const value = stringFlag(args, '--spinning');
  if (value === undefined) return undefined;
  if (value !== 'on' && value !== 'off') {
    throw new Error(`--spinning expects on or off, got ${value}`);
  }
  return value === 'on';
}

const bench: Benchmark = {
  name: 'predict',
  description: 'click -> masks through SamSegmenter.predict vs the raw decoder session.run',
  async run(args) {
    const reps = flagValue(args, '--reps', 40);
    const warmup = flagValue(args, '--warmup', 5);
    const threadSpinning = spinningFlag(args);
    const pairs = await pairsFrom(args);
    const { pictures, dispose } = await scenePictures(SIZES);
    const rows: Record<string, Record<string, unknown>> = {};
    try {
      for (const pair of pairs) {
        const settings = threadSpinning === undefined ? {} : { threadSpinning };
        const segmenter = await openSamSegmenter(pair, { id: pair.label, settings });
        const raw = await rawSession(pair.decoderPath, settings);
        try {
          for (const picture of pictures) {
            const key = `${pair.label} ${picture.scene.width}x${picture.scene.height}`;
            const row = await measureCase(segmenter, raw, picture, reps, warmup);
            log(`${key}: ${JSON.stringify(row)}`);
            rows[key] = row;
          }
        } finally {
          await Promise.all([segmenter.release(), raw.release()]);
        }
      }
    } finally {
      await dispose();
    }
    const all = Object.values(rows);
    const first = all[0]!;
    const worst = Math.max(...all.map((r) => r.ratio as number));
    return {
      model: pairs.map((p) => p.label).join(', '),
      reps,
      warmup,
      threadSpinning: threadSpinning ?? 'default',
      p50Ms: first.p50Ms,
      p95Ms: first.p95Ms,
      rawP50Ms: first.rawP50Ms,
      ratio: first.ratio,
      worstRatio: worst,
      target: TARGET_RATIO,
      met: worst <= TARGET_RATIO,
      cases: rows,
      ...machineLoad(),
    };
  },
};

export default bench;
