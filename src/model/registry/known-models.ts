/**
 * The models `models pull` knows, from ../shared/MODELS.md ("Where users get files").
 * AnyLabeling archives carry a published sha256; X-AnyLabeling's loose release files do not,
 * so their size and hash are recorded at the first download and checked on every later load.
 */

/**
 * Tensor contract of the pair (MODELS.md): `A1-C1` = SAM 1 family encoder with preprocessing
 * in the graph (HWC input) and a single-mask decoder; `B` = SAM 2 / 2.1.
 */
export type ModelContract = 'A1-C1' | 'B';
export type ModelFamily = 'sam1' | 'sam2';

/** One file fetched from a host: a zip holding the pair, or one loose .onnx file. */
export interface ModelDownload {
  /** Name on the host and on a mirror (`<models.baseUrl>/<fileName>`). */
  fileName: string;
  kind: 'zip' | 'file';
  /** The official location. */
  url: string;
  /** Published sha256 (lower-case hex); absent when the publisher gives none. */
  sha256?: string;
  /** Exact size in bytes when known; used when the server sends no Content-Length. */
  bytes?: number;
  /** Size for display (`models list`) when the exact size is not known. */
  approxBytes: number;
}

export interface ModelEntry {
  /** Folder name under the models folder and the name users type. */
  name: string;
  /** Other names accepted by `pull` and `--model`. */
  aliases?: readonly string[];
  family: ModelFamily;
  contract: ModelContract;
  description: string;
  downloads: readonly ModelDownload[];
  /** File name of the encoder once installed (inside the archive, at any depth). */
  encoder: string;
  decoder: string;
}

const HF_SAM1 = 'https://huggingface.co/vietanhdev/segment-anything-onnx-models/resolve/main';
const HF_SAM2 = 'https://huggingface.co/vietanhdev/segment-anything-2-onnx-models/resolve/main';
const X_ANYLABELING = 'https://github.com/CVHub520/X-AnyLabeling/releases/download';

function zip(
  base: string,
  fileName: string,
  sha256: string,
  bytes: number | undefined,
  approxBytes: number,
): ModelDownload {
  return {
    fileName,
    kind: 'zip',
    url: `${base}/${fileName}`,
    sha256,
    ...(bytes === undefined ? {} : { bytes }),
    approxBytes,
  };
}

function looseFile(release: string, fileName: string, approxBytes: number): ModelDownload {
  return { fileName, kind: 'file', url: `${X_ANYLABELING}/${release}/${fileName}`, approxBytes };
}

export const KNOWN_MODELS: readonly ModelEntry[] = [
  {
    name: 'mobile_sam_20230629',
    aliases: ['mobile_sam', 'mobilesam'],
    family: 'sam1',
    contract: 'A1-C1',
    description: 'MobileSAM (TinyViT encoder) with the SAM ViT-H decoder; fast on CPU.',
    downloads: [
      zip(
        HF_SAM1,
        'mobile_sam_20230629.zip',
        '41aff2660b7531becfee21fb257c49933ddc892c554507bdb775bf504d443942',
        36_655_105,
        36_700_000,
      ),
    ],
    encoder: 'mobile_sam.encoder.onnx',
    decoder: 'sam_vit_h_4b8939.decoder.onnx',
  },
  {
    name: 'sam_vit_b_01ec64_quant',
    aliases: ['sam_vit_b_quant'],
    family: 'sam1',
    contract: 'A1-C1',
    description: 'SAM ViT-B, int8-quantised encoder and decoder.',
    downloads: [
      zip(
        HF_SAM1,
        'sam_vit_b_01ec64_quant.zip',
        '9d59db12affc009f71c9ddeab8fc833507510883e7f6bc4c0cc6c45e0d4f5862',
        75_377_417,
        75_400_000,
      ),
    ],
    encoder: 'sam_vit_b_01ec64.encoder.quant.onnx',
    decoder: 'sam_vit_b_01ec64.decoder.quant.onnx',
  },
  {
    name: 'sam_vit_b_01ec64',
    aliases: ['sam_vit_b'],
    family: 'sam1',
    contract: 'A1-C1',
    description: 'SAM ViT-B, float32.',
    downloads: [
      zip(
        HF_SAM1,
        'sam_vit_b_01ec64.zip',
        'e41630c522ac51309e1fedf6c7050c042a1823baf852c99a01abf677ebba430e',
        348_403_199,
        348_000_000,
      ),
    ],
    encoder: 'sam_vit_b_01ec64.encoder.onnx',
    decoder: 'sam_vit_b_01ec64.decoder.onnx',
  },
  {
    name: 'sam2_hiera_tiny',
    family: 'sam2',
    contract: 'B',
    description: 'SAM 2 Hiera-Tiny.',
    downloads: [
      zip(
        HF_SAM2,
        'sam2_hiera_tiny.zip',
        '7454c3afd835b2acaad863afe3acb11f4e4af039c96e886989ad3873a338e1ec',
        154_902_833,
        155_000_000,
      ),
    ],
    encoder: 'sam2_hiera_tiny.encoder.onnx',
    decoder: 'sam2_hiera_tiny.decoder.onnx',
  },
  {
    name: 'sam2_hiera_small',
    family: 'sam2',
    contract: 'B',
    description: 'SAM 2 Hiera-Small.',
    downloads: [
      zip(
        HF_SAM2,
        'sam2_hiera_small.zip',
        '4ef9047eb7fc7e36041c88a9f968c3c0b1d1640b88ef66d754b7d558a10cee38',
        undefined,
        183_000_000,
      ),
    ],
    encoder: 'sam2_hiera_small.encoder.onnx',
    decoder: 'sam2_hiera_small.decoder.onnx',
  },
  {
    name: 'x-anylabeling-mobile_sam',
    family: 'sam1',
    contract: 'A1-C1',
    description: 'MobileSAM as loose X-AnyLabeling release files (no published hash).',
    downloads: [
      looseFile('v0.2.0', 'mobile_sam.encoder.onnx', 28_200_000),
      looseFile('v0.2.0', 'sam_vit_h_4b8939.decoder.onnx', 16_500_000),
    ],
    encoder: 'mobile_sam.encoder.onnx',
    decoder: 'sam_vit_h_4b8939.decoder.onnx',
  },
  {
    name: 'x-anylabeling-sam_vit_b_01ec64_quant',
    family: 'sam1',
    contract: 'A1-C1',
    description: 'SAM ViT-B quantised as loose X-AnyLabeling release files (no published hash).',
    downloads: [
      looseFile('v0.2.0', 'sam_vit_b_01ec64.encoder.quant.onnx', 108_800_000),
      looseFile('v0.2.0', 'sam_vit_b_01ec64.decoder.quant.onnx', 8_800_000),
    ],
    encoder: 'sam_vit_b_01ec64.encoder.quant.onnx',
    decoder: 'sam_vit_b_01ec64.decoder.quant.onnx',
  },
  {
    name: 'x-anylabeling-sam2.1_hiera_tiny',
    family: 'sam2',
    contract: 'B',
    description: 'SAM 2.1 Hiera-Tiny as loose X-AnyLabeling release files (no published hash).',
    downloads: [
      looseFile('v2.5.0', 'sam2.1_hiera_tiny.encoder.onnx', 134_000_000),
      looseFile('v2.5.0', 'sam2.1_hiera_tiny.decoder.onnx', 20_700_000),
    ],
    encoder: 'sam2.1_hiera_tiny.encoder.onnx',
    decoder: 'sam2.1_hiera_tiny.decoder.onnx',
  },
];

/** A known model by name or alias (case-insensitive), or undefined. */
export function findKnownModel(
  name: string,
  registry: readonly ModelEntry[] = KNOWN_MODELS,
): ModelEntry | undefined {
  const wanted = name.trim().toLowerCase();
  return registry.find(
    (m) => m.name.toLowerCase() === wanted || m.aliases?.some((a) => a.toLowerCase() === wanted),
  );
}

/** Bytes a pull transfers, exact where known. */
export function downloadSize(entry: ModelEntry): number {
  return entry.downloads.reduce((sum, d) => sum + (d.bytes ?? d.approxBytes), 0);
}

/**
 * Where a file is fetched from: the official URL, or `<baseUrl>/<fileName>` on a mirror (and
 * the local test server).
 */
export function downloadUrl(download: ModelDownload, baseUrl?: string): string {
  if (!baseUrl) return download.url;
  const base = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  return new URL(encodeURIComponent(download.fileName), base).href;
}
