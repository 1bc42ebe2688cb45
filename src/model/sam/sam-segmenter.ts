import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { defaultConfig, type Config } from '../../config/index.js';
import type { RawImage } from '../../dataset/raw-image.js';
import { modelResizeSize, type ResizeContract, type Size } from '../../geometry/index.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import type { Releaser } from '../../memory/types.js';
import type {
  Candidate,
  Embedding,
  LowResLogits,
  Prompt,
  Segmenter,
  SegmenterImage,
  StoredTensor,
} from '../segmenter.js';
import { buildCandidates, candidateSelection, type DecodedCandidate } from './candidates.js';
import {
  LOW_RES_SIDE,
  checkPair,
  detectDecoder,
  detectEncoder,
  familyOf,
  sameContract,
  type DecoderContract,
  type EncoderContract,
} from './contract.js';
import { decoderFeeds, decoderFetches, type PlainFeeds } from './decoder-feeds.js';
import { checkEmbedding, embeddingLayout } from './embedding-tensors.js';
import { ModelContractError, type ModelRole } from './errors.js';
import { frameLogits } from './frame-logits.js';
import { IdleSessionReleaser } from './idle-releaser.js';
import { LazySession, type ReleasableSession } from './lazy-session.js';
import {
  encoderInput,
  frameSize,
  inputTensor,
  NCHW_INPUT_BYTES,
  resizeContractOf,
  type InputTensor,
} from './preprocess.js';
import { InputBufferPool } from './input-buffer-pool.js';
import { isAmbiguous, validatePrompt } from './prompt.js';
import {
  SessionFactory,
  loadOrt,
  sessionSettingsFrom,
  type ExecutionProviderName,
  type SessionSettings,
} from './providers.js';
import { declaredTensors, type DeclaredTensors } from './tensor-info.js';
import { WorkerSession } from './worker/worker-session.js';

export interface SamModelFiles {
  encoderPath: string;
  decoderPath: string;
  /** Used as the segmenter id when `options.id` is not given (ResolvedModel.name). */
  name?: string;
}

export interface SamSegmenterOptions {
  /** Stable id for cache keys; default: the model name, else the encoder file name. */
  id?: string;
  /** model.* keys are read from it; default: defaultConfig(). */
  config?: Config;
  /** Overrides of the providers and thread counts from the config. */
  settings?: Partial<SessionSettings>;
  logger?: Logger;
}

/** 1/4 of the 1024 frame: the low-res mask grid of every SAM decoder. */
const LOW_RES_SCALE = LOW_RES_SIDE / 1024;

interface Opened<C, S = Ort.InferenceSession> {
  session: S;
  provider: ExecutionProviderName;
  contract: C;
  declared: DeclaredTensors;
}

type InspectableSession = Pick<Ort.InferenceSession, 'inputMetadata' | 'outputMetadata'> &
  ReleasableSession;

async function openChecked<C, S extends InspectableSession>(
  open: (file: string, role: ModelRole) => Promise<{ session: S; provider: ExecutionProviderName }>,
  file: string,
  role: ModelRole,
  detect: (file: string, declared: DeclaredTensors) => C,
): Promise<Opened<C, S>> {
  const { session, provider } = await open(file, role);
  try {
    const declared = declaredTensors(session);
    return { session, provider, contract: detect(file, declared), declared };
  } catch (err) {
    await session.release();
    throw err;
  }
}

/** How each role's sessions are opened: the encoder in a worker thread, the decoder in this one. */
function sessionOpeners(factory: SessionFactory) {
  return {
    encoder: (file: string, role: ModelRole) =>
      factory.createWith(file, role, (f, options) => WorkerSession.create(f, options)),
    decoder: (file: string, role: ModelRole) => factory.create(file, role),
  };
}

/**
 * Opens a SAM encoder/decoder pair: loads both files (their contracts decide `kind` and every
 * later step), checks that they belong together, and returns a segmenter whose sessions stay
 * loaded until release() or the memory manager's releaser frees them; they load again on use.
 */
export async function openSamSegmenter(
  files: SamModelFiles,
  options: SamSegmenterOptions = {},
): Promise<SamSegmenter> {
  const config = options.config ?? defaultConfig();
  const settings = { ...sessionSettingsFrom(config), ...options.settings };
  const factory = new SessionFactory(settings, options.logger ?? silentLogger);
  const open = sessionOpeners(factory);
  const encoder = await openChecked(open.encoder, files.encoderPath, 'encoder', detectEncoder);
  let decoder: Opened<DecoderContract>;
  try {
    decoder = await openChecked(open.decoder, files.decoderPath, 'decoder', detectDecoder);
  } catch (err) {
    await encoder.session.release();
    throw err;
  }
  try {
    checkPair({ encoder: files.encoderPath, decoder: files.decoderPath }, encoder, decoder);
  } catch (err) {
    await Promise.all([encoder.session.release(), decoder.session.release()]);
    throw err;
  }
  const id = options.id ?? files.name ?? path.basename(files.encoderPath).replace(/\.onnx$/i, '');
  return new SamSegmenter(id, factory, config, encoder, decoder, files);
}

/**
 * The Segmenter of SAM ONNX pairs (contracts A and B of MODELS.md) on onnxruntime-node.
 *
 * Latency: a contract A decoder upsamples its masks to `orig_im_size` in float32, which on a
 * 24-megapixel photo is 96 MB per candidate, and even at the 1024 frame ONNX Runtime's copy of
 * them into JavaScript costs more than making them here. So its full-size masks are not
 * fetched: the masks are resampled here from its low-res logits the way SamOnnxModel's
 * mask_postprocessing does (256 -> 1024 frame, crop, -> original size), only over the cells
 * near the mask (frame-logits.ts, logit-mask.ts). A click then costs about the same on any
 * picture size and leaves little garbage behind. EdgeSAM and contract B return low-res logits
 * only and go the same way. A contract A decoder without low-res logits is asked for masks at
 * the original size, or at the 1024 frame above model.maxDecodeSide.
 */
export class SamSegmenter implements Segmenter {
  readonly kind: 'sam1' | 'sam2';
  readonly encoderContract: EncoderContract;
  readonly decoderContract: DecoderContract;
  /**
   * In a worker thread: an encode takes from tenths of a second to seconds, and in this thread
   * it would hold every click and request for that long.
   */
  private readonly encoder: LazySession<WorkerSession>;
  private readonly decoder: LazySession;
  private readonly providers: Record<ModelRole, ExecutionProviderName>;
  private readonly maxDecodeSide: number;
  private readonly idleSeconds: number;
  /** Inputs made by prepareInput, by the decoded picture they come from. */
  private readonly inputsMadeAhead = new WeakMap<RawImage, InputTensor>();
  /** Input buffers back from the encoder's thread, for the next inputs. */
  private readonly inputBuffers = new InputBufferPool(NCHW_INPUT_BYTES);

  constructor(
    readonly id: string,
    private readonly factory: SessionFactory,
    config: Config,
    encoder: Opened<EncoderContract, WorkerSession>,
    decoder: Opened<DecoderContract>,
    readonly files: SamModelFiles,
  ) {
    this.kind = familyOf(encoder.contract);
    this.encoderContract = encoder.contract;
    this.decoderContract = decoder.contract;
    this.providers = { encoder: encoder.provider, decoder: decoder.provider };
    this.maxDecodeSide = config.get('model.maxDecodeSide');
    this.idleSeconds = config.get('model.sessionIdleSeconds');
    const open = sessionOpeners(factory);
    this.encoder = new LazySession(
      files.encoderPath,
      (file) => this.reopen(open.encoder, file, 'encoder', detectEncoder, encoder.contract),
      encoder.session,
    );
    this.decoder = new LazySession(
      files.decoderPath,
      (file) => this.reopen(open.decoder, file, 'decoder', detectDecoder, decoder.contract),
      decoder.session,
    );
  }

  /** The execution provider each session runs on (after any fallback). */
  get executionProviders(): Readonly<Record<ModelRole, ExecutionProviderName>> {
    return this.providers;
  }

  /** Whether each session is loaded now (false after release() until the next use). */
  get loaded(): Readonly<Record<ModelRole, boolean>> {
    return { encoder: this.encoder.loaded, decoder: this.decoder.loaded };
  }

  /**
   * Makes the encoder input of a picture decoded ahead of its encode (normalising a 1024 frame
   * takes a few ms of this thread), while the encoder's thread runs the encode before it; the
   * encode of that picture takes it instead of making it then.
   */
  prepareInput(pixels: RawImage, contract: ResizeContract): void {
    if (contract !== resizeContractOf(this.encoderContract)) return;
    if (!this.inputsMadeAhead.has(pixels)) {
      this.inputsMadeAhead.set(
        pixels,
        inputTensor(this.encoderContract, pixels, this.inputBuffers),
      );
    }
  }

  async encode(image: SegmenterImage, signal?: AbortSignal): Promise<Embedding> {
    signal?.throwIfAborted();
    const input = await encoderInput(this.encoderContract, image, {
      madeAhead: this.inputsMadeAhead,
      spare: this.inputBuffers,
    });
    signal?.throwIfAborted();
    const feeds = { [input.name]: { type: input.type, data: input.data, dims: input.dims } };
    const layout = embeddingLayout(this.encoderContract);
    const recycle = input.owned
      ? (buffer: ArrayBuffer) => this.inputBuffers.give(buffer)
      : undefined;
    const outputs = await this.encoder.use((session) =>
      session.run(feeds, Object.keys(layout), input.owned, recycle),
    );
    const tensors: Record<string, StoredTensor> = {};
    for (const [name, dims] of Object.entries(layout)) {
      const out = outputs[name]!;
      if (out.dims.join(',') !== dims.join(',') || !(out.data instanceof Float32Array)) {
        throw new ModelContractError(
          this.files.encoderPath,
          'encoder',
          `output ${name} came out ${out.type} [${out.dims.join(',')}], expected float32 [${dims.join(',')}]`,
        );
      }
      tensors[name] = { dims: [...dims], data: out.data };
    }
    return { modelId: this.id, imageKey: image.key, original: { ...image.size }, tensors };
  }

  async predict(embedding: Embedding, prompt: Prompt): Promise<Candidate[]> {
    checkEmbedding(embedding, this.id, this.encoderContract);
    const original = embedding.original;
    validatePrompt(prompt, original, this.decoderContract);
    const decodeSize = this.decodeSize(original);
    const plain = decoderFeeds(this.decoderContract, embedding, prompt, decodeSize);
    const outputs = await this.runDecoder(plain);
    const count = candidateCount(outputs);
    const { lead, ranked } = candidateSelection(count, isAmbiguous(prompt));
    const indices = lead === null ? ranked : [lead, ...ranked];
    const decoded = indices.map((k) => this.decoded(k, outputs, original, decodeSize));
    const rankBy = this.decoderContract.kind === 'edgesam' ? 'stability' : 'iou';
    return buildCandidates(decoded, lead, rankBy, original);
  }

  async release(): Promise<void> {
    this.inputBuffers.clear();
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }

  /** For the memory manager: frees this model's sessions idle for model.sessionIdleSeconds. */
  releaser(): Releaser {
    return new IdleSessionReleaser(
      `sam-sessions:${this.id}`,
      () => [this.encoder, this.decoder],
      this.idleSeconds,
    );
  }

  /**
   * The size a contract A decoder returns masks at: the original when it is small enough,
   * else the image area of the 1024 frame. (Other decoders return low-res logits.)
   */
  decodeSize(original: Size): Size {
    if (Math.max(original.width, original.height) <= this.maxDecodeSide) return original;
    return modelResizeSize(original, 'longest-side');
  }

  private async runDecoder(plain: PlainFeeds): Promise<Ort.InferenceSession.ReturnType> {
    const ort = await loadOrt();
    const feeds: Record<string, Ort.Tensor> = {};
    for (const [name, { data, dims }] of Object.entries(plain)) {
      feeds[name] = new ort.Tensor('float32', data, dims);
    }
    const fetches = decoderFetches(this.decoderContract);
    return this.decoder.use((session) => session.run(feeds, fetches));
  }

  /**
   * Candidate `k` of a decoder run (fetched with decoderFetches) as logits over the whole
   * original picture; automatic masks read their candidates through it too.
   */
  decoded(
    k: number,
    outputs: Ort.InferenceSession.ReturnType,
    original: Size,
    decodeSize: Size,
  ): DecodedCandidate {
    const contract = this.decoderContract;
    const scores = outputs[contract.kind === 'edgesam' ? contract.scores : 'iou_predictions']!;
    const predictedIou = (scores.data as Float32Array)[k] ?? 0;
    if (contract.kind === 'A' && contract.lowRes) {
      // SamOnnxModel.mask_postprocessing from the low-res logits (decoderFetches says why).
      const lowRes = lowResPlane(outputs.low_res_masks!, k);
      const frame = frameSize(original, this.encoderContract);
      const { grid, stats } = frameLogits(lowRes, LOW_RES_SCALE, frame);
      return { index: k, grid, stats, predictedIou, lowRes };
    }
    const masks = outputs.masks!;
    const [, , h = 0, w = 0] = masks.dims;
    const plane = (masks.data as Float32Array).subarray(k * w * h, (k + 1) * w * h);

    if (contract.kind === 'A') {
      if (w !== decodeSize.width || h !== decodeSize.height) {
        throw new ModelContractError(
          this.files.decoderPath,
          'decoder',
          `masks came out [${masks.dims.join(',')}] for orig_im_size ` +
            `(${decodeSize.height}, ${decodeSize.width})`,
        );
      }
      return { index: k, grid: { width: w, height: h, data: plane }, predictedIou, lowRes: null };
    }
    if (contract.kind === 'edgesam') {
      // SamOnnxModel.mask_postprocessing up to the crop: 256 -> 1024, keep the image area.
      const frame = frameSize(original, this.encoderContract);
      const lowResGrid = { width: w, height: h, data: plane };
      const { grid, stats } = frameLogits(lowResGrid, LOW_RES_SCALE, frame);
      return { index: k, grid, stats, predictedIou, lowRes: null };
    }
    // SAM 2: the low-res grid covers the whole (squashed) picture.
    return {
      index: k,
      grid: { width: w, height: h, data: plane },
      predictedIou,
      lowRes: lowResPlane(masks, k),
    };
  }

  private async reopen<C extends EncoderContract | DecoderContract, S extends InspectableSession>(
    open: (
      file: string,
      role: ModelRole,
    ) => Promise<{ session: S; provider: ExecutionProviderName }>,
    file: string,
    role: ModelRole,
    detect: (file: string, declared: DeclaredTensors) => C,
    expected: C,
  ): Promise<S> {
    const opened = await openChecked(open, file, role, detect);
    if (!sameContract(opened.contract, expected)) {
      await opened.session.release();
      throw new ModelContractError(
        file,
        role,
        `the file changed since it was opened: it now follows ${JSON.stringify(opened.contract)} ` +
          `instead of ${JSON.stringify(expected)}; open the model again`,
      );
    }
    this.providers[role] = opened.provider;
    return opened.session;
  }
}

/** How many candidates a decoder run (fetched with decoderFetches) holds. */
export function candidateCount(outputs: Ort.InferenceSession.ReturnType): number {
  return (outputs.masks ?? outputs.low_res_masks)!.dims[1] ?? 0;
}

/**
 * Candidate `k`'s 256x256 logits, a view of the decoder's low-res output: it keeps those C
 * planes (256 KB each) alive as long as a candidate is kept, not the full-size masks, and
 * saves a copy per candidate on every click.
 */
function lowResPlane(tensor: Ort.Tensor, k: number): LowResLogits {
  const cells = LOW_RES_SIDE * LOW_RES_SIDE;
  const data = (tensor.data as Float32Array).subarray(k * cells, (k + 1) * cells);
  return { width: LOW_RES_SIDE, height: LOW_RES_SIDE, data };
}
