/**
 * Generated pictures with known object masks, for the default segmenter's tests and the quality
 * benchmark: flat, striped, holed and photo-textured objects on cloudy, checkered and
 * photographic backgrounds, slightly blurred like a camera picture. Reproducible (seeded).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { rasterizeRings, type Bitmap, type FlatRing, type Size } from '../../../geometry/index.js';
import { seededRandom } from '../../../geometry/testdata/shapes.js';
import { blobRing, ellipseRing, roundedRectRing, starRing } from './shapes.js';
import { checkerTexture, noiseTexture, photoTexture, stripeTexture, type Rgb } from './textures.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The shared sample photos (read-only), beside the repository. */
export const samplesDir = path.resolve(repoRoot, '../shared/samples');

export interface Scene {
  name: string;
  size: Size;
  /** RGB HWC pixels. */
  rgb: Buffer;
  /** The target object's mask (the reference for IoU). */
  mask: Bitmap;
  /** The visible parts of the other objects drawn, in drawing order. */
  others: Bitmap[];
}

interface Layer {
  rings: FlatRing[];
  texture: Buffer;
}

interface SceneRecipe {
  name: string;
  size: Size;
  /** Builds the background and the layers (drawn in order, the last is the target) at `size`. */
  build(size: Size, random: () => number): Promise<{ background: Buffer; layers: Layer[] }>;
}

const cloudy = (size: Size, a: Rgb, b: Rgb, random: () => number, cell = 90, grain = 24) =>
  noiseTexture(size, a, b, cell, grain, random);

const RECIPES: SceneRecipe[] = [
  {
    name: 'flat-ellipse',
    size: { width: 1500, height: 1000 },
    async build(s, random) {
      return {
        background: cloudy(s, [70, 100, 60], [150, 160, 120], random),
        layers: [
          {
            rings: [
              ellipseRing(s.width * 0.45, s.height * 0.5, s.width * 0.2, s.height * 0.22, 0.3),
            ],
            texture: cloudy(s, [225, 120, 30], [240, 150, 50], random, 60, 12),
          },
        ],
      };
    },
  },
  {
    name: 'striped-star',
    size: { width: 1500, height: 1000 },
    async build(s, random) {
      const u = Math.min(s.width, s.height);
      return {
        background: cloudy(s, [90, 70, 50], [160, 130, 90], random, 60),
        layers: [
          {
            rings: [starRing(s.width * 0.55, s.height * 0.5, 5, u * 0.16, u * 0.4, 0.2)],
            texture: stripeTexture(s, [200, 40, 40], [240, 230, 200], u * 0.05, 0.7, 16, random),
          },
        ],
      };
    },
  },
  {
    name: 'ring-on-checker',
    size: { width: 1200, height: 900 },
    async build(s, random) {
      const u = Math.min(s.width, s.height);
      const cx = s.width * 0.5;
      const cy = s.height * 0.52;
      return {
        background: checkerTexture(s, [120, 120, 120], [200, 200, 195], u * 0.06, 20, random),
        layers: [
          {
            rings: [
              ellipseRing(cx, cy, u * 0.33, u * 0.33),
              ellipseRing(cx, cy, u * 0.15, u * 0.15),
            ],
            texture: cloudy(s, [20, 40, 120], [40, 70, 160], random, 40, 16),
          },
        ],
      };
    },
  },
  {
    name: 'low-contrast-blob',
    size: { width: 1000, height: 1500 },
    async build(s, random) {
      const u = Math.min(s.width, s.height);
      return {
        background: cloudy(s, [110, 110, 125], [150, 150, 160], random, 120, 20),
        layers: [
          {
            rings: [blobRing(s.width * 0.5, s.height * 0.45, u * 0.3, random)],
            texture: cloudy(s, [150, 135, 110], [180, 165, 140], random, 80, 20),
          },
        ],
      };
    },
  },
  {
    name: 'touching-pair',
    size: { width: 1500, height: 1000 },
    async build(s, random) {
      const u = Math.min(s.width, s.height);
      return {
        background: cloudy(s, [180, 180, 170], [220, 215, 200], random, 70),
        layers: [
          {
            rings: [
              roundedRectRing(
                s.width * 0.5,
                s.height * 0.2,
                s.width * 0.8,
                s.height * 0.8,
                u * 0.05,
              ),
            ],
            texture: cloudy(s, [110, 50, 130], [140, 70, 160], random, 50, 16),
          },
          {
            rings: [blobRing(s.width * 0.38, s.height * 0.5, u * 0.25, random, 0.15)],
            texture: cloudy(s, [20, 130, 130], [50, 170, 160], random, 50, 16),
          },
        ],
      };
    },
  },
  {
    name: 'thin-bar',
    size: { width: 1500, height: 1000 },
    async build(s, random) {
      const u = Math.min(s.width, s.height);
      const angle = -0.5;
      const half = { along: u * 0.35, across: u * 0.012 };
      const cx = s.width * 0.5;
      const cy = s.height * 0.5;
      const corner = (a: number, b: number) => [
        cx + a * Math.cos(angle) - b * Math.sin(angle),
        cy + a * Math.sin(angle) + b * Math.cos(angle),
      ];
      return {
        background: cloudy(s, [60, 90, 70], [120, 150, 110], random, 80),
        layers: [
          {
            rings: [
              [
                ...corner(-half.along, -half.across),
                ...corner(half.along, -half.across),
                ...corner(half.along, half.across),
                ...corner(-half.along, half.across),
              ],
            ],
            texture: cloudy(s, [230, 220, 90], [250, 240, 130], random, 40, 12),
          },
        ],
      };
    },
  },
  {
    name: 'small-objects',
    size: { width: 1500, height: 1000 },
    async build(s, random) {
      const u = Math.min(s.width, s.height);
      const r = u * 0.025;
      const spots = [
        [0.2, 0.3],
        [0.35, 0.7],
        [0.62, 0.25],
        [0.8, 0.65],
      ].map(([x, y]) => ellipseRing(s.width * x!, s.height * y!, r, r));
      const texture = cloudy(s, [200, 60, 160], [230, 90, 190], random, 30, 12);
      return {
        background: cloudy(s, [90, 90, 100], [170, 170, 180], random, 60),
        layers: [
          { rings: spots, texture },
          { rings: [ellipseRing(s.width * 0.52, s.height * 0.52, r * 1.3, r)], texture },
        ],
      };
    },
  },
  {
    name: 'photo-cat-on-coffee',
    size: { width: 1500, height: 1000 },
    async build(s, random) {
      const u = Math.min(s.width, s.height);
      return {
        background: await photoTexture(path.join(samplesDir, 'coffee.png'), s),
        layers: [
          {
            rings: [blobRing(s.width * 0.35, s.height * 0.55, u * 0.3, random)],
            texture: await photoTexture(path.join(samplesDir, 'chelsea.png'), s),
          },
        ],
      };
    },
  },
  {
    name: 'photo-suit-on-rocket',
    size: { width: 1280, height: 854 },
    async build(s, random) {
      const u = Math.min(s.width, s.height);
      return {
        background: await photoTexture(path.join(samplesDir, 'rocket.jpg'), s),
        layers: [
          {
            rings: [blobRing(s.width * 0.3, s.height * 0.45, u * 0.28, random, 0.35)],
            texture: await photoTexture(path.join(samplesDir, 'astronaut.png'), s),
          },
        ],
      };
    },
  },
];

export const SCENE_NAMES: readonly string[] = RECIPES.map((r) => r.name);

/** A seed from the scene's name, so that adding a scene leaves the others as they were. */
function nameSeed(name: string): number {
  let hash = 2166136261;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/**
 * Builds one scene, at its own size or at `size` (the layout follows the size). The picture is
 * blurred with sigma 0.8 px so that edges are soft as in a photograph; the mask is the hard
 * outline.
 */
export async function generateScene(name: string, size?: Size): Promise<Scene> {
  const recipe = RECIPES.find((r) => r.name === name);
  if (!recipe) {
    throw new Error(`unknown scene ${JSON.stringify(name)}; known: ${SCENE_NAMES.join(', ')}`);
  }
  size ??= recipe.size;
  const random = seededRandom(nameSeed(name));
  const { background, layers } = await recipe.build(size, random);
  const rgb = Buffer.from(background);
  const masks = layers.map((layer) => rasterizeRings(layer.rings, size, 'even-odd'));
  layers.forEach((layer, k) => {
    const mask = masks[k]!;
    for (let i = 0; i < mask.data.length; i++) {
      if (mask.data[i] === 0) continue;
      rgb[i * 3] = layer.texture[i * 3]!;
      rgb[i * 3 + 1] = layer.texture[i * 3 + 1]!;
      rgb[i * 3 + 2] = layer.texture[i * 3 + 2]!;
      // Later layers cover earlier ones: keep each earlier mask to what stays visible.
      for (let j = 0; j < k; j++) masks[j]!.data[i] = 0;
    }
  });
  const blurred = await sharp(rgb, { raw: { ...size, channels: 3 } })
    .blur(0.8)
    .raw()
    .toBuffer();
  return { name, size, rgb: blurred, mask: masks.at(-1)!, others: masks.slice(0, -1) };
}

/** Writes the scene's picture as a PNG in `dir` and returns the file's path. */
export async function writeScenePng(scene: Scene, dir: string): Promise<string> {
  const file = path.join(dir, `${scene.name}.png`);
  await sharp(scene.rgb, { raw: { ...scene.size, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toFile(file);
  return file;
}
