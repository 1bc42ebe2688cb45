import type { RawImage } from '../../dataset/index.js';
import type { ResizeContract } from '../../geometry/index.js';
import type { Segmenter, SegmenterImage } from '../segmenter.js';
import type { Preparation } from './work-queue.js';

/**
 * Which model input each segmenter asks for, learnt from its encodes: the Segmenter interface
 * does not declare it, and a backend's first encode tells once its picture is decoded. Until
 * then nothing is prepared ahead for it (its first image decodes inside the encoder slot, as
 * every image used to).
 */
export class InputContracts {
  private readonly bySegmenter = new WeakMap<Segmenter, ResizeContract>();

  /** `onLearnt` runs when a segmenter's contract becomes known or changes. */
  constructor(private readonly onLearnt: () => void) {}

  of(segmenter: Segmenter): ResizeContract | undefined {
    return this.bySegmenter.get(segmenter);
  }

  learn(segmenter: Segmenter, contract: ResizeContract): void {
    if (this.bySegmenter.get(segmenter) === contract) return;
    this.bySegmenter.set(segmenter, contract);
    // Not from inside the encode that is taking its picture: the queue looks again just after.
    queueMicrotask(this.onLearnt);
  }
}

/**
 * The image an encode gets, whose model input the work queue may decode before the encode
 * starts (a Preparation): the encode then takes the decoded picture instead of decoding it in
 * the encoder slot. The input is taken once; a second request, or one for another contract,
 * goes to the image itself (the dataset shares decodes in flight).
 */
export class PreparedInput implements SegmenterImage, Preparation {
  readonly key: string;
  readonly size: SegmenterImage['size'];
  private prepared: {
    contract: ResizeContract;
    pixels: Promise<RawImage>;
    settled: boolean;
  } | null = null;
  /** Taken by the encode or dropped by the queue: nothing more is prepared. */
  private finished = false;

  constructor(
    private readonly image: SegmenterImage,
    private readonly segmenter: Segmenter,
    private readonly contracts: InputContracts,
  ) {
    this.key = image.key;
    this.size = image.size;
  }

  modelInput(contract: ResizeContract): Promise<RawImage> {
    const prepared = this.prepared;
    this.prepared = null;
    this.finished = true;
    const pixels =
      prepared?.contract === contract ? prepared.pixels : this.image.modelInput(contract);
    // Learnt once the picture is there: nothing is decoded ahead while a backend's first picture
    // is still being decoded, so that a broken first file fails alone (sharp can lose the words
    // of a failure while other pictures decode: lovell/sharp#902).
    pixels.then(
      () => this.contracts.learn(this.segmenter, contract),
      () => undefined,
    );
    return pixels;
  }

  start(): Promise<void> | null {
    if (this.finished || this.prepared) return null;
    const contract = this.contracts.of(this.segmenter);
    if (!contract) return null;
    let pixels: Promise<RawImage>;
    try {
      pixels = this.image.modelInput(contract);
    } catch (err) {
      pixels = Promise.reject(err);
    }
    const prepared = { contract, pixels, settled: false };
    this.prepared = prepared;
    // Also marks the rejection handled: it reaches the encode that takes these pixels, if any.
    return pixels.then(
      (decoded) => {
        prepared.settled = true;
        if (!this.finished) this.segmenter.prepareInput?.(decoded, contract);
      },
      () => {
        prepared.settled = true;
      },
    );
  }

  drop(): void {
    this.prepared = null;
    this.finished = true;
  }
}
