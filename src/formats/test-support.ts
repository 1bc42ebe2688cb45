/**
 * An AnnotationSource held in memory, for formats/ tests and benchmarks (the real one is the
 * project store). Objects are made from real masks through geometry's own encoder, so every
 * RLE, box and area is what the store would hold.
 */
import {
  bitmapArea,
  bitmapBbox,
  createBitmap,
  encodeMask,
  pasteBitmap,
  runsToCompressed,
  type Bitmap,
  type CompressedRle,
} from '../geometry/index.js';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type FormatEnum } from 'sharp';
import { drawMask } from '../geometry/testdata/ascii.js';
import { randomBlobMask, seededRandom } from '../geometry/testdata/shapes.js';
import type { AnnotationSource, ClassRecord, ImageRecord, ObjectRecord } from '../store/records.js';

const COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4'];
const STAMP = '2024-01-02T03:04:05.000Z';

export class MemoryAnnotationSource implements AnnotationSource {
  private readonly classes: ClassRecord[] = [];
  private readonly images: ImageRecord[] = [];
  private readonly objects = new Map<number, ObjectRecord[]>();
  private nextObjectId = 1;

  addClass(name: string, id = this.classes.length + 1): ClassRecord {
    const record = {
      id,
      name,
      color: COLORS[this.classes.length % COLORS.length]!,
      position: this.classes.length,
    };
    this.classes.push(record);
    return record;
  }

  addImage(
    path: string,
    width: number | null,
    height: number | null,
    id = this.images.length + 1,
  ): ImageRecord {
    const record: ImageRecord = {
      id,
      key: `key-${id}`,
      path,
      width,
      height,
      status: 'in_progress',
      note: '',
    };
    this.images.push(record);
    this.objects.set(id, []);
    return record;
  }

  /** An object from a full-size mask. */
  addObject(
    imageId: number,
    classId: number,
    mask: Bitmap,
    options: { id?: number; score?: number | null } = {},
  ): ObjectRecord {
    return this.addRle(imageId, classId, encodeMask(mask), options, {
      bbox: bitmapBbox(mask),
      area: bitmapArea(mask),
    });
  }

  /** An object from an RLE already at the image's size (bbox and area read off its runs). */
  addRle(
    imageId: number,
    classId: number,
    rle: CompressedRle,
    options: { id?: number; score?: number | null } = {},
    measure?: Pick<ObjectRecord, 'bbox' | 'area'>,
  ): ObjectRecord {
    const list = this.objects.get(imageId);
    if (!list) throw new Error(`no image ${imageId} in the test source`);
    const id = options.id ?? this.nextObjectId;
    this.nextObjectId = Math.max(this.nextObjectId, id + 1);
    const record: ObjectRecord = {
      id,
      imageId,
      classId,
      rle,
      bbox: measure?.bbox ?? [0, 0, 0, 0],
      area: measure?.area ?? 0,
      score: options.score ?? null,
      source: 'manual',
      prompts: null,
      createdAt: STAMP,
      updatedAt: STAMP,
    };
    list.push(record);
    return record;
  }

  listClasses(): ClassRecord[] {
    return [...this.classes].sort((a, b) => a.position - b.position);
  }

  *iterateImages(): Iterable<ImageRecord> {
    yield* [...this.images].sort((a, b) =>
      Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8')),
    );
  }

  objectsOf(imageId: number): ObjectRecord[] {
    return [...(this.objects.get(imageId) ?? [])].sort((a, b) => a.id - b.id);
  }
}

/** A full-size mask with `rows` (drawn with '#') pasted at (x, y). */
export function maskAt(
  width: number,
  height: number,
  x: number,
  y: number,
  ...rows: string[]
): Bitmap {
  const mask = createBitmap(width, height);
  pasteBitmap(mask, drawMask(...rows), x, y);
  return mask;
}

/**
 * The golden-file project: three classes (one whose name needs CSV quoting), three images in
 * byte order of path (two share the stem "001" in different folders, one has no objects), a
 * ring-shaped object with a hole, a two-part object with a score, two overlapping objects (the
 * later one wins in VOC masks), one touching the border. The dogs image is 128 wide, so a
 * coordinate of 1 normalises to 0.0078125, an exact tie at six decimals.
 */
export function goldenSource(): MemoryAnnotationSource {
  const source = new MemoryAnnotationSource();
  const cat = source.addClass('cat', 3);
  const dog = source.addClass('dog', 1);
  const bird = source.addClass('bird, small', 2);
  source.addImage('empty.jpg', 16, 12, 7);
  const cats = source.addImage('cats/001.png', 24, 16, 2);
  const dogs = source.addImage('dogs/001.png', 128, 10, 5);
  // prettier-ignore
  source.addObject(cats.id, cat.id, maskAt(24, 16, 2, 3,
    '######',
    '#....#',
    '#....#',
    '######',
  ), { id: 10 });
  // prettier-ignore
  source.addObject(cats.id, bird.id, maskAt(24, 16, 11, 1,
    '###.......',
    '###.......',
    '.........#',
    '........##',
    '.......###',
  ), { id: 11, score: 0.875 });
  // prettier-ignore
  source.addObject(dogs.id, dog.id, maskAt(128, 10, 0, 1,
    '.#####',
    '######',
    '######',
  ), { id: 20 });
  // prettier-ignore
  source.addObject(dogs.id, cat.id, maskAt(128, 10, 1, 2,
    '#####',
    '#####',
    '#####',
  ), { id: 21, score: 0.5 });
  return source;
}

/**
 * Column-major runs of `crop` placed at (x, y) in a width x height image, without making the
 * full-size bitmap (a benchmark makes 100,000 of them). The crop must fit inside the image.
 */
export function placedRle(
  crop: Bitmap,
  x: number,
  y: number,
  width: number,
  height: number,
): CompressedRle {
  if (x < 0 || y < 0 || x + crop.width > width || y + crop.height > height) {
    throw new Error(
      `a ${crop.width}x${crop.height} crop at (${x}, ${y}) does not fit ${width}x${height}`,
    );
  }
  const transitions: number[] = [];
  let value = 0;
  for (let c = 0; c < crop.width; c++) {
    for (let r = 0; r < crop.height; r++) {
      const v = crop.data[r * crop.width + c] !== 0 ? 1 : 0;
      if (v !== value) {
        transitions.push((x + c) * height + y + r);
        value = v;
      }
    }
    // The column's pixels below the crop are background.
    if (value === 1) {
      transitions.push((x + c) * height + y + crop.height);
      value = 0;
    }
  }
  const counts = new Uint32Array(transitions.length + 1);
  let previous = 0;
  transitions.forEach((t, i) => {
    counts[i] = t - previous;
    previous = t;
  });
  counts[transitions.length] = width * height - previous;
  return runsToCompressed({ height, width, counts });
}

export interface BlobSourceOptions {
  images: number;
  objectsPerImage: number;
  width: number;
  height: number;
  /** Side of the box each blob is drawn in: between min and max pixels. */
  minSide?: number;
  maxSide?: number;
  seed?: number;
  classes?: number;
}

/**
 * Many images of random ragged blobs (some with holes, some in several parts), reproducible
 * from the seed: the benchmark's 100,000 objects.
 */
export function blobSource(options: BlobSourceOptions): MemoryAnnotationSource {
  const { width, height } = options;
  const maxSide = Math.min(options.maxSide ?? 96, width, height);
  const minSide = Math.min(options.minSide ?? 24, maxSide);
  const random = seededRandom(options.seed ?? 1);
  const source = new MemoryAnnotationSource();
  for (let c = 0; c < (options.classes ?? 5); c++) source.addClass(`class${c}`);
  for (let i = 0; i < options.images; i++) {
    const image = source.addImage(
      `set${i % 10}/img${String(i).padStart(6, '0')}.jpg`,
      width,
      height,
    );
    for (let k = 0; k < options.objectsPerImage; k++) {
      const cw = Math.floor(minSide + random() * (maxSide - minSide));
      const ch = Math.floor(minSide + random() * (maxSide - minSide));
      const crop = randomBlobMask(cw, ch, Math.floor(random() * 2 ** 31), {
        parts: 1 + Math.floor(random() * 2),
        holes: Math.floor(random() * 2),
        specks: Math.floor(random() * 2),
      });
      const x = Math.floor(random() * (width - cw));
      const y = Math.floor(random() * (height - ch));
      const rle = placedRle(crop, x, y, width, height);
      const classId = 1 + Math.floor(random() * (options.classes ?? 5));
      const [bx, by, bw, bh] = bitmapBbox(crop);
      source.addRle(
        image.id,
        classId,
        rle,
        { score: Math.round(random() * 1000) / 1000 },
        { bbox: [bx + x, by + y, bw, bh], area: bitmapArea(crop) },
      );
    }
  }
  return source;
}

/**
 * Writes a real image file for every image of `source` under `root`, in the format its
 * extension names (a plain colour, sized as the record says): the dataset an export links to.
 */
export async function writeDatasetImages(source: AnnotationSource, root: string): Promise<void> {
  for (const image of source.iterateImages()) {
    const file = path.join(root, ...image.path.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    const extension = path.extname(file).slice(1).toLowerCase();
    await sharp({
      create: {
        width: image.width ?? 8,
        height: image.height ?? 8,
        channels: 3,
        background: { r: (image.id * 37) % 256, g: 80, b: 160 },
      },
    })
      .toFormat(extension === 'jpg' ? 'jpeg' : (extension as keyof FormatEnum))
      .toFile(file);
  }
}
