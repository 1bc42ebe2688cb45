import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, CONFIG_KEY_NAMES, envNameOf } from './keys.js';
import { CONFIG_FILE_NAME, ConfigError, defaultConfig, loadConfig, parseSetFlags } from './load.js';
import { parseByteSize } from './size.js';

function projectWith(content: unknown): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sam-config-'));
  writeFileSync(
    path.join(dir, CONFIG_FILE_NAME),
    typeof content === 'string' ? content : JSON.stringify(content),
  );
  return dir;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('config defaults', () => {
  it('has the documented defaults', () => {
    const config = defaultConfig();
    expect(config.get('memory.warningThreshold')).toBe(0.85);
    expect(config.get('memory.criticalThreshold')).toBe(0.95);
    expect(config.get('memory.shrinkTarget')).toBe(0.75);
    expect(config.get('memory.budget')).toBe('auto');
    expect(config.get('cache.predictions.maxEntries')).toBe(50);
    expect(config.sourceOf('memory.warningThreshold')).toEqual({ kind: 'default' });
  });

  it('every default passes its own schema', () => {
    for (const key of CONFIG_KEY_NAMES) {
      const spec = CONFIG_KEYS[key];
      expect(spec.schema.safeParse(spec.default).success, key).toBe(true);
    }
  });
});

describe('config layering: defaults <- file <- env <- flags', () => {
  it('takes nested and dotted keys from the project file', () => {
    const dir = projectWith({
      memory: { warningThreshold: 0.8, budget: '2GiB' },
      'prefetch.depth': 5,
    });
    const config = loadConfig({ searchDirs: [dir], env: {} });
    expect(config.get('memory.warningThreshold')).toBe(0.8);
    expect(config.get('memory.budget')).toBe(2 * 1024 ** 3);
    expect(config.get('prefetch.depth')).toBe(5);
    expect(config.sourceOf('prefetch.depth')).toEqual({
      kind: 'file',
      file: path.join(dir, CONFIG_FILE_NAME),
    });
  });

  it('lets the environment override the file, and flags override both', () => {
    const dir = projectWith({ memory: { warningThreshold: 0.8 }, prefetch: { depth: 5 } });
    const config = loadConfig({
      searchDirs: [dir],
      env: { SAM_ANNOTATOR_MEMORY_WARNING_THRESHOLD: '0.9', SAM_ANNOTATOR_PREFETCH_DEPTH: '7' },
      flags: [{ key: 'prefetch.depth', value: '9', flag: '--prefetch-depth' }],
    });
    expect(config.get('memory.warningThreshold')).toBe(0.9);
    expect(config.sourceOf('memory.warningThreshold')).toEqual({
      kind: 'env',
      name: 'SAM_ANNOTATOR_MEMORY_WARNING_THRESHOLD',
    });
    expect(config.get('prefetch.depth')).toBe(9);
  });

  it("accepts the seed tool's environment names, the project's name winning", () => {
    const seedOnly = loadConfig({
      env: { SAM_MEMORY_WARNING_THRESHOLD: '0.8', SAM_MEMORY_CRITICAL_THRESHOLD: '0.9' },
    });
    expect(seedOnly.get('memory.warningThreshold')).toBe(0.8);
    expect(seedOnly.get('memory.criticalThreshold')).toBe(0.9);
    const both = loadConfig({
      env: {
        SAM_MEMORY_WARNING_THRESHOLD: '0.8',
        SAM_ANNOTATOR_MEMORY_WARNING_THRESHOLD: '0.82',
      },
    });
    expect(both.get('memory.warningThreshold')).toBe(0.82);
  });

  it('uses the first config file found in the search folders', () => {
    const project = projectWith({ prefetch: { depth: 5 } });
    const dataset = projectWith({ prefetch: { depth: 6 } });
    expect(loadConfig({ searchDirs: [project, dataset], env: {} }).get('prefetch.depth')).toBe(5);
    expect(
      loadConfig({ searchDirs: ['/nonexistent', dataset], env: {} }).get('prefetch.depth'),
    ).toBe(6);
  });

  it('reads an explicit --config file instead of the project one', () => {
    const project = projectWith({ prefetch: { depth: 5 } });
    const other = projectWith({ prefetch: { depth: 11 } });
    const config = loadConfig({
      searchDirs: [project],
      configFile: path.join(other, CONFIG_FILE_NAME),
      env: {},
    });
    expect(config.get('prefetch.depth')).toBe(11);
  });

  it('parses sizes, booleans and --set pairs', () => {
    expect(parseByteSize('512MiB')).toBe(512 * 1024 ** 2);
    expect(parseByteSize('1.5 GB')).toBe(1.5e9);
    expect(parseByteSize('123')).toBe(123);
    expect(parseByteSize('12 parsecs')).toBeNull();
    const config = loadConfig({
      env: { SAM_ANNOTATOR_MEMORY_WATCH_SYSTEM: 'off' },
      flags: parseSetFlags(['memory.budget=768MiB', 'dataset.displayFormat=webp']),
    });
    expect(config.get('memory.watchSystem')).toBe(false);
    expect(config.get('memory.budget')).toBe(768 * 1024 ** 2);
    expect(config.get('dataset.displayFormat')).toBe('webp');
  });

  it('derives environment names from keys', () => {
    expect(envNameOf('memory.checkIntervalMs')).toBe('SAM_ANNOTATOR_MEMORY_CHECK_INTERVAL_MS');
    expect(envNameOf('cache.predictions.maxEntries')).toBe(
      'SAM_ANNOTATOR_CACHE_PREDICTIONS_MAX_ENTRIES',
    );
  });

  it('with() replaces keys, says who did, and re-checks relations', () => {
    const base = defaultConfig();
    const changed = base.with({ 'prefetch.depth': 1 }, 'the benchmark');
    expect(changed.get('prefetch.depth')).toBe(1);
    expect(changed.sourceOf('prefetch.depth')).toEqual({ kind: 'override', by: 'the benchmark' });
    expect(() => base.with({ 'memory.warningThreshold': 0.97 })).toThrow(
      /memory.warningThreshold = 0.97 \(from an override by the program\)/,
    );
  });

  it('derives the shrink target from a lowered warning threshold unless it is set', () => {
    const lowered = loadConfig({ env: { SAM_MEMORY_WARNING_THRESHOLD: '0.7' } });
    expect(lowered.get('memory.shrinkTarget')).toBe(0.6);
    expect(lowered.sourceOf('memory.shrinkTarget')).toEqual({
      kind: 'derived',
      from: 'memory.warningThreshold',
    });
    const explicit = loadConfig({
      env: { SAM_MEMORY_WARNING_THRESHOLD: '0.7', SAM_ANNOTATOR_MEMORY_SHRINK_TARGET: '0.5' },
    });
    expect(explicit.get('memory.shrinkTarget')).toBe(0.5);
    expect(defaultConfig().get('memory.shrinkTarget')).toBe(0.75);
    expect(lowered.with({ 'memory.warningThreshold': 0.9 }).get('memory.shrinkTarget')).toBe(0.8);
  });

  it('accepts a file saved with a byte-order mark, and enum words in any case', () => {
    const dir = projectWith('\uFEFF' + JSON.stringify({ dataset: { displayFormat: 'WebP' } }));
    const config = loadConfig({
      searchDirs: [dir],
      env: { SAM_ANNOTATOR_MEMORY_BUDGET: ' AUTO ', SAM_ANNOTATOR_LOG_LEVEL: 'Warn ' },
    });
    expect(config.get('dataset.displayFormat')).toBe('webp');
    expect(config.get('memory.budget')).toBe('auto');
    expect(config.get('log.level')).toBe('warn');
  });
});

describe('config errors name the key, the value, the source and what is allowed', () => {
  it('rejects an out-of-range environment value', () => {
    const err = errorOf(() => loadConfig({ env: { SAM_MEMORY_WARNING_THRESHOLD: '1.5' } }));
    expect(err.message).toContain('memory.warningThreshold');
    expect(err.message).toContain('"1.5"');
    expect(err.message).toContain('environment variable SAM_MEMORY_WARNING_THRESHOLD');
    expect(err.message).toContain('between 0 and 1');
  });

  it('rejects a wrong type in the file', () => {
    const dir = projectWith({ prefetch: { depth: 'lots' } });
    const err = errorOf(() => loadConfig({ searchDirs: [dir], env: {} }));
    expect(err.message).toMatch(
      /prefetch\.depth = "lots" \(from config file .*sam-annotator\.config\.json\)/,
    );
    expect(err.message).toContain('an integer from 0 to 64');
  });

  it('rejects unknown keys with a suggestion', () => {
    const dir = projectWith({ memory: { warningTreshold: 0.8 } });
    const err = errorOf(() => loadConfig({ searchDirs: [dir], env: {} }));
    expect(err.message).toContain('Unknown config key "memory.warningTreshold"');
    const flagErr = errorOf(() => loadConfig({ env: {}, flags: parseSetFlags(['depth=3']) }));
    expect(flagErr.message).toContain('prefetch.depth');
  });

  it('rejects unknown SAM_ANNOTATOR_ variables', () => {
    const err = errorOf(() => loadConfig({ env: { SAM_ANNOTATOR_MEMORY_BUGDET: '1GiB' } }));
    expect(err.message).toContain('SAM_ANNOTATOR_MEMORY_BUGDET');
  });

  it('rejects thresholds in the wrong order, naming both sources', () => {
    const dir = projectWith({ memory: { criticalThreshold: 0.8 } });
    const err = errorOf(() => loadConfig({ searchDirs: [dir], env: {} }));
    expect(err.message).toContain('memory.warningThreshold = 0.85 (from the default)');
    expect(err.message).toContain('memory.criticalThreshold = 0.8 (from config file');
  });

  it('rejects cache shares over the whole budget', () => {
    const err = errorOf(() =>
      loadConfig({ env: {}, flags: parseSetFlags(['cache.embeddings.share=0.9']) }),
    );
    expect(err.message).toContain('add up to');
  });

  it('rejects malformed files and missing explicit files', () => {
    const dir = projectWith('{ "memory": ');
    expect(errorOf(() => loadConfig({ searchDirs: [dir], env: {} })).message).toContain(
      'is not valid JSON',
    );
    expect(
      errorOf(() => loadConfig({ configFile: '/nonexistent/x.json', env: {} })).message,
    ).toContain('/nonexistent/x.json does not exist');
    expect(errorOf(() => parseSetFlags(['novalue'])).message).toContain('key=value');
  });

  it('rejects hexadecimal and empty numbers', () => {
    expect(
      errorOf(() => loadConfig({ env: { SAM_ANNOTATOR_PREFETCH_DEPTH: '0x10' } })).message,
    ).toContain('prefetch.depth = "0x10"');
    expect(
      errorOf(() => loadConfig({ env: {}, flags: parseSetFlags(['prefetch.depth=']) })).message,
    ).toContain('prefetch.depth = ""');
  });

  it('rejects a budget so small that a unit was surely left out', () => {
    const err = errorOf(() => loadConfig({ env: { SAM_ANNOTATOR_MEMORY_BUDGET: '10' } }));
    expect(err.message).toContain('memory.budget = "10"');
    expect(err.message).toContain('at least 64MiB');
    expect(
      errorOf(() => loadConfig({ env: {}, flags: parseSetFlags(['cache.embeddings.diskMax=4']) }))
        .message,
    ).toContain('cache.embeddings.diskMax');
    expect(
      loadConfig({ env: {}, flags: parseSetFlags(['cache.embeddings.diskMax=0']) }).get(
        'cache.embeddings.diskMax',
      ),
    ).toBe(0);
  });

  it('rejects a size that is not a size', () => {
    const err = errorOf(() => loadConfig({ env: { SAM_ANNOTATOR_MEMORY_BUDGET: 'plenty' } }));
    expect(err.message).toContain('memory.budget = "plenty"');
    expect(err.message).toContain('4GiB');
  });
});
