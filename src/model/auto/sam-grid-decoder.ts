import type * as Ort from 'onnxruntime-node';
import { defaultConfig, type Config } from '../../config/index.js';
import type { BboxXywh, Point, Size } from '../../geometry/index.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import { buildCandidates, candidateSelection, type DecodedCandidate } from '../sam/candidates.js';
import { detectDecoder, sameContract } from '../sam/contract.js';
import { decoderFeeds, decoderFetches } from '../sam/decoder-feeds.js';
import { checkEmbedding } from '../sam/embedding-tensors.js';
import { ModelContractError } from '../sam/errors.js';
import { gridStats, upsampleMask } from '../sam/logit-mask.js';
import { promptTensors } from '../sam/prompt.js';
import { SessionFactory, loadOrt, sessionSettingsFrom } from '../sam/providers.js';
import { candidateCount, type SamSegmenter } from '../sam/sam-segmenter.js';
import { declaredTensors } from '../sam/tensor-info.js';
import type { Embedding } from '../segmenter.js';
import type { CandidateMask, CropDecoder, GridCandidate, GridDecoder } from './grid-decoder.js';
import { summarizeLogits, type LogitSummary } from './logit-summary.js';

/** Which click and which decoder output a candidate is: enough to decode it again. */
interface SamRef {
  point: Point;
  output: number;
}

/**
 * SAM 1 (contract A) and SAM 2 (contract B) decoders: their outputs give every candidate's
 * logits over the whole picture, so stability and box come from the logits and only the
 * candidates the filters keep are turned into masks. EdgeSAM-style decoders (low-res logits
 * ranked by stability) are left to Segmenter.predict.
 */
export function decodesGrid(segmenter: SamSegmenter): boolean {
  return segmenter.decoderContract.kind !== 'edgesam';
}

/**
 * The grid side of a SamSegmenter on a decoder session of its own (the segmenter keeps its
 * session to itself), opened with the same provider and threads. Each click is one run with
 * the feeds of its embedding built once; a kept candidate's mask is made by running its click
 * again, with the segmenter's own post-processing (candidates.ts), so masks are exactly the
 * ones predict() gives.
 */
export class SamGridDecoder implements GridDecoder {
  private released = false;

  private constructor(
    readonly segmenter: SamSegmenter,
    private readonly session: Ort.InferenceSession,
    private readonly ort: typeof Ort,
  ) {}

  static async open(
    segmenter: SamSegmenter,
    options: { config?: Config; logger?: Logger } = {},
  ): Promise<SamGridDecoder> {
    const settings = {
      ...sessionSettingsFrom(options.config ?? defaultConfig()),
      providers: [segmenter.executionProviders.decoder],
    };
    const file = segmenter.files.decoderPath;
    const factory = new SessionFactory(settings, options.logger ?? silentLogger);
    const { session } = await factory.create(file, 'decoder');
    try {
      const declared = declaredTensors(session);
      if (!sameContract(detectDecoder(file, declared), segmenter.decoderContract)) {
        throw new ModelContractError(
          file,
          'decoder',
          'the file changed since the model was opened: open the model again',
          declared,
        );
      }
    } catch (err) {
      await session.release();
      throw err;
    }
    return new SamGridDecoder(segmenter, session, await loadOrt());
  }

  async forEmbedding(embedding: Embedding): Promise<CropDecoder<SamRef>> {
    if (this.released) throw new Error('SamGridDecoder.forEmbedding after release()');
    checkEmbedding(embedding, this.segmenter.id, this.segmenter.encoderContract);
    return new SamCropDecoder(this.segmenter, this.session, this.ort, embedding);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}

class SamCropDecoder implements CropDecoder<SamRef> {
  /** Every input but the click, as tensors made once for all the clicks. */
  private readonly fixed: Record<string, Ort.Tensor> = {};
  private readonly decodeSize: Size;
  private readonly original: Size;

  constructor(
    private readonly segmenter: SamSegmenter,
    private readonly session: Ort.InferenceSession,
    private readonly ort: typeof Ort,
    embedding: Embedding,
  ) {
    this.original = embedding.original;
    this.decodeSize = segmenter.decodeSize(this.original);
    const anyClick = { points: [{ x: 0, y: 0, label: 1 as const }] };
    const plain = decoderFeeds(segmenter.decoderContract, embedding, anyClick, this.decodeSize);
    for (const [name, { data, dims }] of Object.entries(plain)) {
      if (name !== 'point_coords' && name !== 'point_labels') {
        this.fixed[name] = new ort.Tensor('float32', data, dims);
      }
    }
  }

  async decode(point: Point): Promise<GridCandidate<SamRef>[]> {
    const outputs = await this.run(point);
    const { ranked } = candidateSelection(candidateCount(outputs), true);
    const decoded = ranked.map((k) => this.decoded(k, outputs));
    // As buildCandidates ranks a single click's candidates: by predicted IoU, then output index.
    decoded.sort((a, b) => b.predictedIou - a.predictedIou || a.index - b.index);
    return decoded.map((d) => new LogitCandidate(d, this.original, { point, output: d.index }));
  }

  async masks(refs: readonly SamRef[]): Promise<CandidateMask[]> {
    const byPoint = new Map<Point, number[]>();
    refs.forEach((ref, i) => {
      const list = byPoint.get(ref.point);
      if (list) list.push(i);
      else byPoint.set(ref.point, [i]);
    });
    const out: CandidateMask[] = new Array<CandidateMask>(refs.length);
    for (const [point, indices] of byPoint) {
      const outputs = await this.run(point);
      for (const i of indices) {
        const decoded = { ...this.decoded(refs[i]!.output, outputs), lowRes: null };
        const [candidate] = buildCandidates([decoded], null, 'iou', this.original);
        const { rle, bbox, area, predictedIou, stabilityScore } = candidate!;
        out[i] = { rle, bbox, area, predictedIou, stabilityScore };
      }
    }
    return out;
  }

  private decoded(k: number, outputs: Ort.InferenceSession.ReturnType): DecodedCandidate {
    return this.segmenter.decoded(k, outputs, this.original, this.decodeSize);
  }

  private run(point: Point): Promise<Ort.InferenceSession.ReturnType> {
    const contract = this.segmenter.decoderContract;
    const click = promptTensors({ points: [{ ...point, label: 1 }] }, this.original, contract);
    const feeds = {
      ...this.fixed,
      point_coords: new this.ort.Tensor('float32', click.coords, [1, click.count, 2]),
      point_labels: new this.ort.Tensor('float32', click.labels, [1, click.count]),
    };
    return this.session.run(feeds, decoderFetches(contract));
  }
}

/** A candidate read from its logits: one pass for stability and extent, none for the mask. */
class LogitCandidate implements GridCandidate<SamRef> {
  private summary: LogitSummary | undefined;
  readonly predictedIou: number;

  constructor(
    private readonly decoded: DecodedCandidate,
    private readonly original: Size,
    readonly ref: SamRef,
  ) {
    this.predictedIou = decoded.predictedIou;
  }

  stabilityScore(): number {
    return this.summarized().stability;
  }

  bbox(): BboxXywh | null {
    const { bounds } = this.summarized();
    if (!bounds) return null;
    const { original } = this;
    const { grid, stats } = this.decoded;
    if (grid.width === original.width && grid.height === original.height) {
      // Logits at the picture's own size: the mask is exactly logit > 0.
      const { minX, minY, maxX, maxY } = bounds;
      return [minX, minY, maxX - minX + 1, maxY - minY + 1];
    }
    // Resized logits: the box of the resized mask, traced as row runs (no bitmap).
    const region = upsampleMask(grid, stats ?? gridStats(grid), original);
    return region.area === 0 ? null : region.bbox;
  }

  private summarized(): LogitSummary {
    // Logits resampled from the low-res grid come with their statistics already.
    this.summary ??= this.decoded.stats ?? summarizeLogits(this.decoded.grid);
    return this.summary;
  }
}
