import type { Sharp } from 'sharp';
import { toDecodeError } from './decode-failure.js';
import { decoderFor, type DecodeSettings } from './decode-settings.js';
import { ImageDecodeError } from './errors.js';
import { CONTENT_TYPES } from './formats.js';
import type { ImageMetadata } from './header.js';
import type { ImageEntry } from './image-entry.js';
import { modelResizeSize, type ResizeContract } from '../geometry/index.js';
import type { EncodedImage, RawImage } from './raw-image.js';
import { resampleBilinear } from './resample-bilinear.js';

/**
 * Transparent pixels become white. The browser shows the (JPEG) display picture flattened, and
 * the encoder must see the same picture the user clicks on; white rather than black because
 * transparent backgrounds are mostly "paper" (logos, cut-outs, scans) and a dark subject on black
 * would vanish.
 */
const BACKGROUND = { r: 255, g: 255, b: 255 };

export interface LazyImageOptions {
  settings: DecodeSettings;
  /** The image's header; the index's metadata(), which shares reads and checks the pixel limit. */
  header: () => Promise<ImageMetadata>;
  /** Called when the last piece of work in flight finishes (the owner may then drop this object). */
  onIdle?: () => void;
  /** Told about every decoder pipeline started, by output ('rgb', 'display', 'model-A'...). */
  onDecode?: (output: string) => void;
}

/**
 * One image's pixels, decoded only when asked for. Each output is decoded straight from the file
 * (so JPEG shrink-on-load applies and no full-size raw is made for a small output); concurrent
 * requests for the same output share one decode. Results are not kept here: caching is the
 * caller's, under a memory budget.
 */
export class LazyImage {
  private readonly pending = new Map<string, Promise<unknown>>();
  private decodeCount = 0;

  constructor(
    readonly entry: ImageEntry,
    private readonly options: LazyImageOptions,
  ) {}

  /** Decoder pipelines started so far (shared requests count once). */
  get decodes(): number {
    return this.decodeCount;
  }

  /** Whether any output is being made now. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** The whole picture after EXIF orientation, as RGB. */
  rgb(): Promise<RawImage> {
    return this.shared('rgb', () => this.decodeRaw('rgb', (pipeline) => pipeline));
  }

  /** The picture for the browser: longest side <= dataset.displayMaxSize, never enlarged. */
  display(): Promise<EncodedImage> {
    return this.shared('display', () =>
      this.encode('display', this.options.settings.displayMaxSize),
    );
  }

  thumbnail(): Promise<EncodedImage> {
    return this.shared('thumbnail', () =>
      this.encode('thumbnail', this.options.settings.thumbnailSize),
    );
  }

  /**
   * The encoder's input as RGB uint8 HWC, before normalisation, sized by geometry's
   * modelResizeSize: 'longest-side' (contract A: longest side 1024 with the reference rounding,
   * unpadded) or 'squash' (contract B: 1024 x 1024). Resampling is the
   * reference's bilinear: sharp's antialiased 'linear' kernel shrinks (without JPEG fast
   * shrink-on-load, which blurs less faithfully), resampleBilinear enlarges.
   */
  modelInput(contract: ResizeContract): Promise<RawImage> {
    return this.shared(`model-${contract}`, async () => {
      const header = await this.options.header();
      const target = modelResizeSize(header, contract);
      const shrunk = {
        width: Math.min(target.width, header.width),
        height: Math.min(target.height, header.height),
      };
      const needsShrink = shrunk.width !== header.width || shrunk.height !== header.height;
      const reduced = await this.decodeRaw(`model-${contract}`, (pipeline) =>
        needsShrink
          ? pipeline.resize(shrunk.width, shrunk.height, {
              fit: 'fill',
              kernel: 'linear',
              fastShrinkOnLoad: false,
            })
          : pipeline,
      );
      return resampleBilinear(reduced, target.width, target.height);
    });
  }

  private shared<T>(key: string, make: () => Promise<T>): Promise<T> {
    const running = this.pending.get(key);
    if (running) return running as Promise<T>;
    const promise = make().finally(() => {
      this.pending.delete(key);
      if (this.pending.size === 0) this.options.onIdle?.();
    });
    this.pending.set(key, promise);
    return promise;
  }

  /** The file opened for decoding: oriented, flattened, sRGB with 3 channels. */
  private async pipeline(header: ImageMetadata): Promise<Sharp> {
    const { absPath } = this.entry;
    let pipeline = (
      await decoderFor(absPath, header.format, this.options.settings.pixelLimit)
    ).autoOrient();
    if (header.hasAlpha) pipeline = pipeline.flatten({ background: BACKGROUND });
    return pipeline.toColourspace('srgb').removeAlpha();
  }

  private async decodeRaw(output: string, shape: (pipeline: Sharp) => Sharp): Promise<RawImage> {
    const header = await this.options.header();
    const { data, info } = await this.run(output, async () =>
      shape(await this.pipeline(header))
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true }),
    );
    if (info.channels !== 3) {
      throw new ImageDecodeError(
        this.entry.absPath,
        'unsupported',
        `decoded to ${info.channels} channels instead of RGB`,
      );
    }
    return { width: info.width, height: info.height, data };
  }

  private async encode(output: string, maxSide: number): Promise<EncodedImage> {
    const { displayFormat: format, displayQuality: quality } = this.options.settings;
    const header = await this.options.header();
    const { data, info } = await this.run(output, async () => {
      const resized = (await this.pipeline(header)).resize({
        width: maxSide,
        height: maxSide,
        fit: 'inside',
        withoutEnlargement: true,
      });
      const encoder = format === 'webp' ? resized.webp({ quality }) : resized.jpeg({ quality });
      return encoder.toBuffer({ resolveWithObject: true });
    });
    return {
      data,
      width: info.width,
      height: info.height,
      format,
      contentType: CONTENT_TYPES[format],
    };
  }

  /**
   * Counts one decode and turns decoder failures into ImageDecodeError. The header is read
   * before this (a refused header is no decode); opening the decoder is inside it, since for BMP
   * that is the decode.
   */
  private async run<T>(output: string, decode: () => Promise<T>): Promise<T> {
    this.decodeCount++;
    this.options.onDecode?.(output);
    try {
      return await decode();
    } catch (err) {
      throw await toDecodeError(err, this.entry.absPath);
    }
  }
}
