import { z } from 'zod';
import { parseByteSize } from './size.js';

/**
 * Every configuration key, in one table. The table drives the defaults, the environment
 * variable names, `--set key=value`, validation messages and `config --list`.
 */
export interface KeySpec<T = unknown> {
  schema: z.ZodType<T>;
  default: T;
  /** How text (environment, --set) becomes a value before the schema checks it. */
  parse: 'number' | 'integer' | 'boolean' | 'string' | 'size' | 'text';
  allowed: string;
  description: string;
  /** Extra environment names accepted for this key (the seed tool's names). */
  envAliases?: string[];
}

const ratio = z.number().gt(0).lt(1);
const share = z.number().min(0).max(1);
const seconds = z.number().int().min(0);
const positiveInt = z.number().int().positive();

/**
 * "auto" or a byte count; text sizes are parsed before validation. The floor catches a unit
 * left out ("10" is 10 bytes, not 10 GiB), which would leave the process permanently critical.
 */
const MIN_BUDGET = 64 * 1024 ** 2;
const budget = z.union([z.literal('auto'), z.number().int().min(MIN_BUDGET)]);

function key<T>(spec: KeySpec<T>): KeySpec<T> {
  return spec;
}

export const CONFIG_KEYS = {
  'memory.budget': key({
    schema: budget,
    default: 'auto' as const,
    parse: 'size',
    allowed: '"auto" or a size of at least 64MiB, such as 4GiB or 512MiB (a bare number is bytes)',
    description:
      'Host memory budget. The effective budget is the smallest of this, the cgroup limit and physical RAM.',
  }),
  'memory.warningThreshold': key({
    schema: ratio,
    default: 0.85,
    parse: 'number',
    allowed: 'a number between 0 and 1 (exclusive), below memory.criticalThreshold',
    description: 'Usage ratio at which prefetch pauses and caches shrink to memory.shrinkTarget.',
    envAliases: ['SAM_MEMORY_WARNING_THRESHOLD'],
  }),
  'memory.criticalThreshold': key({
    schema: ratio,
    default: 0.95,
    parse: 'number',
    allowed: 'a number between 0 and 1 (exclusive), above memory.warningThreshold',
    description:
      'Usage ratio at which caches are cleared, idle sessions released and background work refused.',
    envAliases: ['SAM_MEMORY_CRITICAL_THRESHOLD'],
  }),
  'memory.shrinkTarget': key({
    schema: ratio,
    default: 0.75,
    parse: 'number',
    allowed: 'a number between 0 and 1 (exclusive), below memory.warningThreshold',
    description:
      'Usage ratio that shrinking aims for once the warning threshold is crossed. When not set, it follows memory.warningThreshold - 0.10.',
  }),
  'memory.checkIntervalMs': key({
    schema: z.number().int().min(100).max(600_000),
    default: 2000,
    parse: 'integer',
    allowed: 'an integer number of milliseconds from 100 to 600000',
    description: 'How often the memory manager samples its probes.',
  }),
  'memory.watchSystem': key({
    schema: z.boolean(),
    default: true,
    parse: 'boolean',
    allowed: 'true or false',
    description:
      'Also react to whole-machine memory pressure (MemAvailable), not only to this process.',
  }),
  'cache.embeddings.share': key({
    schema: share,
    default: 0.4,
    parse: 'number',
    allowed: 'a fraction of the memory budget from 0 to 1',
    description: 'Share of the budget for image embeddings kept in RAM.',
  }),
  'cache.embeddings.ttlSeconds': key({
    schema: seconds,
    default: 3600,
    parse: 'integer',
    allowed: 'a whole number of seconds, 0 for no age limit',
    description: 'Age after which an unused embedding leaves RAM.',
  }),
  'cache.embeddings.diskMax': key({
    schema: z.union([z.literal(0), z.number().int().min(MIN_BUDGET)]),
    default: 8 * 1024 ** 3,
    parse: 'size',
    allowed:
      'a size of at least 64MiB such as 8GiB; 0 turns the disk cache off and deletes its files',
    description: 'Size cap of the on-disk embedding cache (least recently used files go first).',
  }),
  'cache.embeddings.diskDtype': key({
    schema: z.enum(['float16', 'float32']),
    default: 'float16' as 'float16' | 'float32',
    parse: 'string',
    allowed: '"float16" or "float32"',
    description:
      'How embeddings are written to the disk cache: float16 halves the files and their reads (max relative error 2^-11), float32 keeps them exact.',
  }),
  'cache.embeddings.contentHash': key({
    schema: z.boolean(),
    default: false,
    parse: 'boolean',
    allowed: 'true or false',
    description:
      'Key embeddings by a SHA-256 of the image bytes instead of path + size + modification time, so renamed and duplicate files share one embedding (each file is read once to hash it).',
  }),
  'cache.displayImages.share': key({
    schema: share,
    default: 0.2,
    parse: 'number',
    allowed: 'a fraction of the memory budget from 0 to 1',
    description: 'Share of the budget for encoded display pictures and thumbnails.',
  }),
  'cache.displayImages.ttlSeconds': key({
    schema: seconds,
    default: 1800,
    parse: 'integer',
    allowed: 'a whole number of seconds, 0 for no age limit',
    description: 'Age after which an unused display picture leaves RAM.',
  }),
  'cache.decodedImages.share': key({
    schema: share,
    default: 0.1,
    parse: 'number',
    allowed: 'a fraction of the memory budget from 0 to 1',
    description: 'Share of the budget for decoded RGB pixels.',
  }),
  'cache.decodedImages.ttlSeconds': key({
    schema: seconds,
    default: 300,
    parse: 'integer',
    allowed: 'a whole number of seconds, 0 for no age limit',
    description: 'Age after which unused decoded pixels leave RAM.',
  }),
  'cache.predictions.share': key({
    schema: share,
    default: 0.05,
    parse: 'number',
    allowed: 'a fraction of the memory budget from 0 to 1',
    description: 'Share of the budget for cached predictions.',
  }),
  'cache.predictions.maxEntries': key({
    schema: positiveInt,
    default: 50,
    parse: 'integer',
    allowed: 'a positive whole number',
    description: 'Most predictions kept (the seed tool kept 50).',
  }),
  'cache.predictions.ttlSeconds': key({
    schema: seconds,
    default: 600,
    parse: 'integer',
    allowed: 'a whole number of seconds, 0 for no age limit',
    description: 'Age after which a cached prediction is dropped.',
  }),
  'dataset.displayMaxSize': key({
    schema: z.number().int().min(64).max(16384),
    default: 2048,
    parse: 'integer',
    allowed: 'an integer from 64 to 16384 pixels',
    description: 'Longest side of the picture sent to the browser.',
  }),
  'dataset.displayFormat': key({
    schema: z.enum(['jpeg', 'webp']),
    default: 'jpeg' as 'jpeg' | 'webp',
    parse: 'string',
    allowed: '"jpeg" or "webp"',
    description: 'Encoding of display pictures and thumbnails.',
  }),
  'dataset.displayQuality': key({
    schema: z.number().int().min(1).max(100),
    default: 88,
    parse: 'integer',
    allowed: 'an integer from 1 to 100',
    description: 'Encoder quality of display pictures.',
  }),
  'dataset.thumbnailSize': key({
    schema: z.number().int().min(16).max(1024),
    default: 256,
    parse: 'integer',
    allowed: 'an integer from 16 to 1024 pixels',
    description: 'Longest side of thumbnails.',
  }),
  'dataset.decodePixelLimit': key({
    schema: z.number().int().positive(),
    default: 268_402_689,
    parse: 'integer',
    allowed: 'a positive number of pixels (width x height)',
    description:
      'Images with more pixels are refused as possible decompression bombs (default 16383 x 16383).',
  }),
  'dataset.decodeConcurrency': key({
    schema: z.number().int().min(1).max(64),
    default: 2,
    parse: 'integer',
    allowed: 'an integer from 1 to 64',
    description: 'Threads libvips may use for one decode (sharp.concurrency).',
  }),
  'prefetch.depth': key({
    schema: z.number().int().min(0).max(64),
    default: 3,
    parse: 'integer',
    allowed: 'an integer from 0 to 64',
    description: 'How many following images are prepared in the background.',
  }),
  'models.dir': key({
    schema: z.string().min(1),
    default: 'auto',
    parse: 'text',
    allowed: '"auto" or a folder path',
    description:
      'Folder of downloaded models. "auto" is sam-annotator/models in the per-user cache folder ($XDG_CACHE_HOME or ~/.cache; %LOCALAPPDATA% on Windows).',
  }),
  'models.baseUrl': key({
    schema: z.union([
      z.literal(''),
      z.string().regex(/^https?:\/\/[^\s/?#]+[^\s]*$/i, 'an http(s) URL'),
    ]),
    default: '',
    parse: 'text',
    allowed: 'empty (the official hosts) or an http(s) URL such as https://mirror.example/models/',
    description:
      'Mirror that serves every model file by its file name (<baseUrl>/<file>) instead of the official hosts.',
  }),
  'models.downloadTimeoutMs': key({
    schema: z.number().int().min(1000).max(3_600_000),
    default: 60_000,
    parse: 'integer',
    allowed: 'an integer number of milliseconds from 1000 to 3600000',
    description: 'A download fails when no data arrives for this long.',
  }),
  'model.executionProviders': key({
    schema: z
      .string()
      .regex(
        /^\s*(cpu|cuda|tensorrt|coreml|dml)(\s*,\s*(cpu|cuda|tensorrt|coreml|dml))*\s*$/,
        'a comma-separated list of cpu, cuda, tensorrt, coreml, dml',
      ),
    default: 'cpu',
    parse: 'string',
    allowed: 'a comma-separated list of cpu, cuda, tensorrt, coreml, dml, such as "cuda,cpu"',
    description:
      'ONNX Runtime execution providers, tried one at a time in this order; a provider that does not load is skipped with one warning and CPU is the last resort.',
  }),
  'model.intraOpThreads': key({
    schema: z.number().int().min(0).max(1024),
    default: 0,
    parse: 'integer',
    allowed: 'an integer from 0 to 1024 (0 = ONNX Runtime chooses)',
    description: 'Threads one ONNX Runtime operator may use.',
  }),
  'model.interOpThreads': key({
    schema: z.number().int().min(0).max(1024),
    default: 0,
    parse: 'integer',
    allowed: 'an integer from 0 to 1024 (0 = ONNX Runtime chooses)',
    description: 'Threads ONNX Runtime may use to run independent operators in parallel.',
  }),
  'model.threadSpinning': key({
    schema: z.boolean(),
    default: false,
    parse: 'boolean',
    allowed: 'true or false',
    description:
      "Whether ONNX Runtime's threads busy-wait for work after each run. Off: on a shared or small machine the spinning pool slowed the post-processing and other sessions, and doubled a click's decoder time under load; on a dedicated many-core machine it can shave a little latency.",
  }),
  'model.maxDecodeSide': key({
    schema: z.number().int().min(64).max(65536),
    default: 1024,
    parse: 'integer',
    allowed: 'an integer from 64 to 65536 pixels',
    description:
      'SAM 1 decoders return masks at the original size only for pictures whose longest side is at most this; larger ones are decoded at the 1024 model-frame size and upsampled inside the mask box (same mask, flat click latency).',
  }),
  'model.sessionIdleSeconds': key({
    schema: seconds,
    default: 60,
    parse: 'integer',
    allowed: 'a whole number of seconds, 0 to release any session not running',
    description:
      'Under critical memory pressure, model sessions unused for this long are released; the next use loads them again.',
  }),
  'validation.minArea': key({
    schema: z.number().int().min(0),
    default: 100,
    parse: 'integer',
    allowed: 'a whole number of pixels, 0 or more (0 turns the check off)',
    description:
      'Objects covering fewer pixels get a warning (never refused or dropped). The seed tool used 100.',
  }),
  'validation.maxOverlap': key({
    schema: share,
    default: 0.3,
    parse: 'number',
    allowed: 'a number from 0 to 1 (1 turns the check off)',
    description:
      'Two objects of one image whose intersection exceeds this share of the smaller one get a warning (never refused or dropped). The seed tool used 0.3.',
  }),
  'store.synchronous': key({
    schema: z.enum(['normal', 'full']),
    default: 'normal' as 'normal' | 'full',
    parse: 'string',
    allowed: '"normal" or "full"',
    description:
      'When a change to the project database reaches the disk. "normal" survives a killed or crashed program; "full" also survives power loss, at about twice the write latency.',
  }),
  'log.level': key({
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info' as 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent',
    parse: 'string',
    allowed: 'fatal, error, warn, info, debug, trace or silent',
    description: 'Log level.',
  }),
} satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;
export type ConfigValue<K extends ConfigKey> = (typeof CONFIG_KEYS)[K]['default'];

export const CONFIG_KEY_NAMES = Object.keys(CONFIG_KEYS) as ConfigKey[];

/** `memory.warningThreshold` -> `SAM_ANNOTATOR_MEMORY_WARNING_THRESHOLD`. */
export function envNameOf(key: string): string {
  return (
    'SAM_ANNOTATOR_' +
    key
      .split('.')
      .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())
      .join('_')
  );
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Turns text from the environment, a flag or a file into the type the key expects. Text that
 * does not parse is returned as it is, so that validation reports the user's own words.
 */
export function parseText(spec: KeySpec, text: string): unknown {
  const trimmed = text.trim();
  switch (spec.parse) {
    case 'number':
    case 'integer':
      // Decimal only: Number() would also take "0x10", "1e" variants and "" (0).
      return DECIMAL.test(trimmed) ? Number(trimmed) : trimmed;
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(trimmed)) return true;
      if (/^(false|0|no|off)$/i.test(trimmed)) return false;
      return trimmed;
    case 'size':
      if (trimmed.toLowerCase() === 'auto') return 'auto';
      return parseByteSize(trimmed) ?? trimmed;
    case 'string':
      // Every string key is an enum of lower-case words.
      return trimmed.toLowerCase();
    case 'text':
      // Paths and URLs: case matters.
      return trimmed;
  }
}
