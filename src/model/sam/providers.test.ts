import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/index.js';
import { silentLogger } from '../../log/logger.js';
import { ensureTestModels, type TestModelPaths } from '../../../tools/test-models/index.js';
import { ModelLoadError } from './errors.js';
import {
  ProviderListError,
  SessionFactory,
  parseExecutionProviders,
  sessionOptions,
  sessionSettingsFrom,
} from './providers.js';
import { recordingLogger } from './sam-test-support.js';

let models: TestModelPaths;
let tmp: string;
const cpuOnly = { providers: ['cpu' as const], intraOpThreads: 0, interOpThreads: 0 };

beforeAll(async () => {
  models = await ensureTestModels();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sam-providers-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('execution provider list', () => {
  it('parses a comma list in order, without duplicates', () => {
    expect(parseExecutionProviders(' CUDA, cpu ,cuda')).toEqual(['cuda', 'cpu']);
  });

  it('names an unknown provider', () => {
    expect(() => parseExecutionProviders('cuda,rocm')).toThrow(ProviderListError);
    expect(() => parseExecutionProviders('cuda,rocm')).toThrow(/unknown provider rocm/);
    expect(() => parseExecutionProviders(' , ')).toThrow(/empty list/);
  });

  it('reads providers and thread counts from the config', () => {
    const config = defaultConfig().with({
      'model.executionProviders': 'cuda,cpu',
      'model.intraOpThreads': 2,
    });
    expect(sessionSettingsFrom(config)).toEqual({
      providers: ['cuda', 'cpu'],
      intraOpThreads: 2,
      interOpThreads: 0,
      threadSpinning: false,
    });
    expect(sessionSettingsFrom(defaultConfig()).providers).toEqual(['cpu']);
    const spinning = defaultConfig().with({ 'model.threadSpinning': true });
    expect(sessionSettingsFrom(spinning).threadSpinning).toBe(true);
  });
});

describe('SessionFactory', () => {
  it('falls back to CPU with one warning naming the missing provider', async () => {
    const { logger, lines } = recordingLogger();
    const factory = new SessionFactory(
      { providers: ['cuda', 'cpu'], intraOpThreads: 1, interOpThreads: 1 },
      logger,
    );
    const first = await factory.create(models.encoderA2, 'encoder');
    const second = await factory.create(models.decoderMulti, 'decoder');
    expect(first.provider).toBe('cpu');
    expect(second.provider).toBe('cpu');
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/execution provider cuda is not available .*running on cpu/);
    expect(warnings[0]!.msg).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
    expect([...factory.unavailableProviders.keys()]).toEqual(['cuda']);
    await Promise.all([first.session.release(), second.session.release()]);
  });

  it('uses CPU even when the list does not name it', async () => {
    const { logger, lines } = recordingLogger();
    const factory = new SessionFactory({ ...cpuOnly, providers: ['tensorrt'] }, logger);
    const { session, provider } = await factory.create(models.encoderA1, 'encoder');
    expect(provider).toBe('cpu');
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
      expect.stringContaining('provider tensorrt is not available'),
    ]);
    await session.release();
  });

  it('turns thread spinning off unless asked for, and sessions load either way', async () => {
    const spinning = (threadSpinning?: boolean): unknown =>
      sessionOptions({ ...cpuOnly, intraOpThreads: 2, threadSpinning }, 'cpu');
    expect(spinning()).toEqual({
      executionProviders: ['cpu'],
      intraOpNumThreads: 2,
      extra: {
        session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } },
      },
    });
    expect(spinning(true)).toMatchObject({
      extra: {
        session: { intra_op: { allow_spinning: '1' }, inter_op: { allow_spinning: '1' } },
      },
    });
    for (const threadSpinning of [false, true]) {
      const factory = new SessionFactory({ ...cpuOnly, threadSpinning }, silentLogger);
      const { session } = await factory.create(models.decoderSingle, 'decoder');
      expect(session.outputNames).toContain('masks');
      await session.release();
    }
  });

  it('reports a truncated file with its path and what ONNX Runtime said', async () => {
    const factory = new SessionFactory(cpuOnly, silentLogger);
    const error = await factory.create(models.truncated, 'encoder').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).message).toContain(
      `Cannot load the encoder ${models.truncated}`,
    );
    expect((error as ModelLoadError).message).toMatch(/Protobuf parsing failed/);
  });

  it('does not blame a provider for a broken file', async () => {
    const { logger, lines } = recordingLogger();
    const factory = new SessionFactory({ ...cpuOnly, providers: ['cuda', 'cpu'] }, logger);
    const error = await factory.create(models.truncated, 'decoder').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/Protobuf parsing failed.*also failed with cuda/);
    expect(lines.filter((l) => l.level === 40)).toHaveLength(0);
    expect(factory.unavailableProviders.size).toBe(0);
  });

  it('reports a missing file', async () => {
    const factory = new SessionFactory(cpuOnly, silentLogger);
    const missing = path.join(tmp, 'nothing.encoder.onnx');
    await expect(factory.create(missing, 'encoder')).rejects.toThrow(
      `Cannot load the encoder ${missing}: the file does not exist`,
    );
  });

  it('loads weights kept in an external file next to the .onnx, and fails clearly without it', async () => {
    const factory = new SessionFactory(cpuOnly, silentLogger);
    const { session } = await factory.create(models.externalData, 'encoder');
    expect(session.inputNames).toEqual(['input_image']);
    await session.release();

    const alone = path.join(tmp, path.basename(models.externalData));
    await copyFile(models.externalData, alone);
    const error = await factory.create(alone, 'encoder').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toContain(alone);
    expect((error as Error).message).toMatch(/sam1-a2\.encoder\.onnx\.data/);
  });
});
