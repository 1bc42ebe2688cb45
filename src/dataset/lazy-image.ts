import type { Sharp } from 'sharp';
import { toDecodeError } from './decode-failure.js';
import { decoderFor, type DecodeSettings } from './decode-settings.js';
import { encodePicture } from './encode-picture.js';
import { ImageChangedError, ImageDecodeError } from './errors.js';
import { sameStamp, stampOf } from './file-stamp.js';
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
  /**
   * The image's header, read the way the index reads it (readImageHeader: shared reads, pixel
   * limit, the file's stamp). Asked once per output; a file whose stamp no longer matches the
   * header's after decoding fails with ImageChangedError.
   */
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
 *
 * Colour: display pictures, thumbnails and rgb() are colour-managed (an embedded ICC profile is
 * applied, converting to sRGB), as a browser shows the file. The model input is not: the
 * reference preprocessing (Pillow's convert('RGB'), cv2.imread) ignores the profile, and the
 * encoder was trained on pixels as stored.
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
    return this.shared('rgb', async () =>
      this.decodeRaw('rgb', await this.options.header(), 'managed', (pipeline) => pipeline),
    );
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
      const reduced = await this.decodeRaw(`model-${contract}`, header, 'as-stored', (pipeline) =>
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

  /**
   * The file opened for decoding: oriented, flattened, 3 channels of sRGB. 'as-stored' keeps an
   * embedded RGB profile from being applied (sharp's keepIccProfile: the RGB values are the
   * file's own); CMYK and grey are still converted to RGB either way.
   */
  private async pipeline(header: ImageMetadata, colour: Colour): Promise<Sharp> {
    const { absPath } = this.entry;
    let pipeline = (
      await decoderFor(absPath, header.format, this.options.settings.pixelLimit)
    ).autoOrient();
    if (colour === 'as-stored') pipeline = pipeline.keepIccProfile();
    if (header.hasAlpha) pipeline = pipeline.flatten({ background: BACKGROUND });
    return pipeline.toColourspace('srgb').removeAlpha();
  }

  private async decodeRaw(
    output: string,
    header: ImageMetadata,
    colour: Colour,
    shape: (pipeline: Sharp) => Sharp,
  ): Promise<RawImage> {
    const { data, info } = await this.run(output, header, async () =>
      shape(await this.pipeline(header, colour))
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
    return this.run(output, header, async () => {
      const resized = (await this.pipeline(header, 'managed')).resize({
        width: maxSide,
        height: maxSide,
        fit: 'inside',
        withoutEnlargement: true,
      });
      return encodePicture(resized, format, quality);
    });
  }

  /**
   * Counts one decode and turns decoder failures into ImageDecodeError. The header is read
   * before this (a refused header is no decode); opening the decoder is inside it, since for BMP
   * that is the decode. The file is stat'ed afterwards: if it is not the file the header was
   * read from, the pixels (or the failure: a half-saved file reads as truncated) may belong to
   * another version, and ImageChangedError says so instead.
   */
  private async run<T>(
    output: string,
    header: ImageMetadata,
    decode: () => Promise<T>,
  ): Promise<T> {
    this.decodeCount++;
    this.options.onDecode?.(output);
    const file = this.entry.absPath;
    const result = await decode().then(
      (value) => ({ value }),
      (err: unknown) => ({ err }),
    );
    const after = await stampOf(file).catch((err: unknown) => err as ImageDecodeError);
    if (!(after instanceof ImageDecodeError) && !sameStamp(after, header.file)) {
      throw new ImageChangedError(file);
    }
    if ('err' in result) throw await toDecodeError(result.err, file);
    if (after instanceof ImageDecodeError) throw after;
    return result.value;
  }
}

type Colour = 'managed' | 'as-stored';
