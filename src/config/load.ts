import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CONFIG_KEYS,
  CONFIG_KEY_NAMES,
  envNameOf,
  parseText,
  type ConfigKey,
  type ConfigValue,
  type KeySpec,
} from './keys.js';

export const CONFIG_FILE_NAME = 'sam-annotator.config.json';

/** Where a value came from, in words a user can act on. */
export type ConfigSource =
  | { kind: 'default' }
  | { kind: 'file'; file: string }
  | { kind: 'env'; name: string }
  | { kind: 'flag'; flag: string }
  | { kind: 'override'; by: string }
  | { kind: 'derived'; from: string };

export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'the default';
    case 'file':
      return `config file ${source.file}`;
    case 'env':
      return `environment variable ${source.name}`;
    case 'flag':
      return `command-line flag ${source.flag}`;
    case 'override':
      return `an override by ${source.by}`;
    case 'derived':
      return `the default, derived from ${source.from}`;
  }
}

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly key?: string,
    readonly source?: ConfigSource,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /**
   * Folders searched in order for `sam-annotator.config.json` (the project folder, then the
   * dataset folder); the first file found is used.
   */
  searchDirs?: string[];
  /** An explicit config file (`--config FILE`); it must exist. */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Values from the command line, by key, with the flag that set them. */
  flags?: Array<{ key: string; value: unknown; flag: string }>;
}

export class Config {
  constructor(
    private readonly values: Map<ConfigKey, unknown>,
    private readonly sources: Map<ConfigKey, ConfigSource>,
  ) {}

  get<K extends ConfigKey>(key: K): ConfigValue<K> {
    return this.values.get(key) as ConfigValue<K>;
  }

  sourceOf(key: ConfigKey): ConfigSource {
    return this.sources.get(key) ?? { kind: 'default' };
  }

  /** Flat `{ key: value }`, for logs and `doctor --json`. */
  toJSON(): Record<string, unknown> {
    return Object.fromEntries(CONFIG_KEY_NAMES.map((k) => [k, this.values.get(k)]));
  }

  /** A copy with some keys replaced (tests, and programs embedding the library). */
  with(overrides: Partial<{ [K in ConfigKey]: ConfigValue<K> }>, by = 'the program'): Config {
    const layer = new Layer();
    for (const [k, v] of Object.entries(overrides)) layer.set(k, v, { kind: 'override', by });
    return build([this.asLayer(), layer]);
  }

  private asLayer(): Layer {
    const layer = new Layer();
    for (const k of CONFIG_KEY_NAMES) {
      const source = this.sourceOf(k);
      // Defaults (and values derived from them) are re-derived, not frozen, by the next build.
      if (source.kind !== 'default' && source.kind !== 'derived') {
        layer.set(k, this.values.get(k), source);
      }
    }
    return layer;
  }
}

class Layer {
  readonly entries = new Map<string, { value: unknown; source: ConfigSource }>();
  set(key: string, value: unknown, source: ConfigSource): void {
    this.entries.set(key, { value, source });
  }
}

function specOf(key: string, source: ConfigSource): KeySpec {
  const spec = (CONFIG_KEYS as Record<string, KeySpec>)[key];
  if (!spec) {
    const near = CONFIG_KEY_NAMES.filter(
      (k) => k.toLowerCase().includes(key.toLowerCase().split('.').pop() ?? '') && key !== '',
    );
    throw new ConfigError(
      `Unknown config key "${key}" in ${describeSource(source)}.` +
        (near.length ? ` Did you mean ${near.map((k) => `"${k}"`).join(' or ')}?` : '') +
        ` Known keys: ${CONFIG_KEY_NAMES.join(', ')}.`,
      key,
      source,
    );
  }
  return spec;
}

function checkValue(key: string, value: unknown, source: ConfigSource): unknown {
  const spec = specOf(key, source);
  const candidate = typeof value === 'string' ? parseText(spec, value) : value;
  const result = spec.schema.safeParse(candidate);
  if (!result.success) {
    throw new ConfigError(
      `Invalid config value ${key} = ${JSON.stringify(value)} (from ${describeSource(source)}): ` +
        `expected ${spec.allowed}.`,
      key,
      source,
    );
  }
  return result.data;
}

function build(layers: Layer[]): Config {
  const values = new Map<ConfigKey, unknown>();
  const sources = new Map<ConfigKey, ConfigSource>();
  for (const k of CONFIG_KEY_NAMES) {
    values.set(k, CONFIG_KEYS[k].default);
    sources.set(k, { kind: 'default' });
  }
  for (const layer of layers) {
    for (const [k, { value, source }] of layer.entries) {
      values.set(k as ConfigKey, checkValue(k, value, source));
      sources.set(k as ConfigKey, source);
    }
  }
  deriveShrinkTarget(values, sources);
  const config = new Config(values, sources);
  checkRelations(config);
  return config;
}

/** Shrinking aims 0.10 below the warning threshold unless the user set a target. */
const SHRINK_MARGIN = 0.1;

function deriveShrinkTarget(
  values: Map<ConfigKey, unknown>,
  sources: Map<ConfigKey, ConfigSource>,
): void {
  if (sources.get('memory.shrinkTarget')?.kind !== 'default') return;
  const warning = values.get('memory.warningThreshold') as number;
  if (sources.get('memory.warningThreshold')?.kind === 'default') return;
  values.set(
    'memory.shrinkTarget',
    Math.max(0.01, Math.round((warning - SHRINK_MARGIN) * 1e6) / 1e6),
  );
  sources.set('memory.shrinkTarget', { kind: 'derived', from: 'memory.warningThreshold' });
}

function checkRelations(config: Config): void {
  const order: ConfigKey[] = [
    'memory.shrinkTarget',
    'memory.warningThreshold',
    'memory.criticalThreshold',
  ];
  for (let i = 1; i < order.length; i++) {
    const lowKey = order[i - 1]!;
    const highKey = order[i]!;
    const low = config.get(lowKey) as number;
    const high = config.get(highKey) as number;
    if (!(low < high)) {
      throw new ConfigError(
        `Invalid config: ${lowKey} = ${low} (from ${describeSource(config.sourceOf(lowKey))}) ` +
          `must be below ${highKey} = ${high} (from ${describeSource(config.sourceOf(highKey))}).`,
        lowKey,
        config.sourceOf(lowKey),
      );
    }
  }
  const shareKeys = CONFIG_KEY_NAMES.filter((k) => k.endsWith('.share'));
  const total = shareKeys.reduce((sum, k) => sum + (config.get(k) as number), 0);
  if (total > 1 + 1e-9) {
    throw new ConfigError(
      `Invalid config: cache shares add up to ${total.toFixed(2)} of the memory budget ` +
        `(${shareKeys.map((k) => `${k} = ${String(config.get(k))}`).join(', ')}); they must add up to 1 or less.`,
    );
  }
}

/** Flattens `{ memory: { budget: 1 } }` to `memory.budget`; a dotted key is also accepted. */
function flatten(obj: unknown, prefix: string, out: Map<string, unknown>, file: string): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new ConfigError(
      `Config file ${file}: ${prefix || 'the top level'} must be an object, got ${JSON.stringify(obj)}.`,
    );
  }
  for (const [name, value] of Object.entries(obj)) {
    if (name === '$schema') continue;
    const full = prefix ? `${prefix}.${name}` : name;
    const isBranch =
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      !(full in CONFIG_KEYS);
    if (isBranch) flatten(value, full, out, file);
    else out.set(full, value);
  }
}

function fileLayer(file: string): Layer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    // Editors on Windows may save a byte-order mark, which JSON.parse rejects.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ConfigError(`Config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const flat = new Map<string, unknown>();
  flatten(parsed, '', flat, file);
  const layer = new Layer();
  for (const [k, v] of flat) layer.set(k, v, { kind: 'file', file });
  return layer;
}

function envLayer(env: NodeJS.ProcessEnv): Layer {
  const layer = new Layer();
  for (const k of CONFIG_KEY_NAMES) {
    const spec: KeySpec = CONFIG_KEYS[k];
    // Aliases first so that the project's own name wins when both are set.
    for (const name of [...(spec.envAliases ?? []), envNameOf(k)]) {
      const text = env[name];
      if (text !== undefined && text !== '') layer.set(k, text, { kind: 'env', name });
    }
  }
  const known = new Set(CONFIG_KEY_NAMES.map(envNameOf));
  for (const name of Object.keys(env)) {
    if (name.startsWith('SAM_ANNOTATOR_') && !known.has(name) && !IGNORED_ENV.has(name)) {
      throw new ConfigError(
        `Unknown environment variable ${name}. Known: ${[...known].join(', ')}.`,
        undefined,
        { kind: 'env', name },
      );
    }
  }
  return layer;
}

/** Environment names of the project that are not config keys. */
const IGNORED_ENV = new Set(['SAM_ANNOTATOR_CONFIG', 'SAM_ANNOTATOR_TOKEN']);

/** defaults <- config file <- environment <- flags. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const layers: Layer[] = [];
  const explicit = options.configFile ?? env.SAM_ANNOTATOR_CONFIG;
  if (explicit) {
    if (!existsSync(explicit)) throw new ConfigError(`Config file ${explicit} does not exist.`);
    layers.push(fileLayer(path.resolve(explicit)));
  } else {
    const found = (options.searchDirs ?? [])
      .map((dir) => path.resolve(dir, CONFIG_FILE_NAME))
      .find((candidate) => existsSync(candidate));
    if (found) layers.push(fileLayer(found));
  }
  layers.push(envLayer(env));
  const flags = new Layer();
  for (const { key, value, flag } of options.flags ?? [])
    flags.set(key, value, { kind: 'flag', flag });
  layers.push(flags);
  return build(layers);
}

/** Parses repeated `--set key=value` flags. */
export function parseSetFlags(
  pairs: string[],
): Array<{ key: string; value: unknown; flag: string }> {
  return pairs.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new ConfigError(`--set expects key=value, got "${pair}".`);
    }
    return { key: pair.slice(0, eq).trim(), value: pair.slice(eq + 1), flag: `--set ${pair}` };
  });
}

export function defaultConfig(): Config {
  return loadConfig({ env: {} });
}
