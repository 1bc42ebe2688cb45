import { access } from 'node:fs/promises';
import type * as Ort from 'onnxruntime-node';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../log/logger.js';
import { GPU_OPT_IN_COMMAND } from '../onnx-runtime-info.js';
import { ModelLoadError, type ModelRole } from './errors.js';
import { loadOrt } from './ort-module.js';

export { loadOrt };

export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'coreml', 'dml'] as const;
export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number];

export interface SessionSettings {
  /** Tried one at a time in this order; CPU is always the last resort. */
  providers: ExecutionProviderName[];
  /** 0 = ONNX Runtime's default. */
  intraOpThreads: number;
  interOpThreads: number;
  /**
   * Whether ONNX Runtime's worker threads busy-wait for work after each run (its own default).
   * Off unless set: on a shared 2-core machine a spinning pool kept a core busy for tens of
   * milliseconds after every decoder run, slowing the post-processing that follows it and any
   * other session's run, and under load a click's decoder run took about twice as long with it.
   */
  threadSpinning?: boolean;
}

/** Creates a session of `file` with the given options (ONNX Runtime's create, or a worker's). */
export type SessionOpen<S> = (
  file: string,
  options: Ort.InferenceSession.SessionOptions,
) => Promise<S>;

export class ProviderListError extends Error {
  constructor(
    message: string,
    readonly value: string,
  ) {
    super(message);
    this.name = 'ProviderListError';
  }
}

/** "cuda, cpu" -> ['cuda', 'cpu'] (duplicates dropped). */
export function parseExecutionProviders(text: string): ExecutionProviderName[] {
  const names = text
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const unknown = names.filter((n) => !(EXECUTION_PROVIDERS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length) {
    throw new ProviderListError(
      `model.executionProviders "${text}": ${
        unknown.length ? `unknown provider ${unknown.join(', ')}` : 'empty list'
      }; use a comma-separated list of ${EXECUTION_PROVIDERS.join(', ')}`,
      text,
    );
  }
  return [...new Set(names as ExecutionProviderName[])];
}

export function sessionSettingsFrom(config: Config): SessionSettings {
  return {
    providers: parseExecutionProviders(config.get('model.executionProviders')),
    intraOpThreads: config.get('model.intraOpThreads'),
    interOpThreads: config.get('model.interOpThreads'),
    threadSpinning: config.get('model.threadSpinning'),
  };
}

/** The ONNX Runtime options of a session on `provider` (the benchmarks' raw sessions use them too). */
export function sessionOptions(
  settings: SessionSettings,
  provider: ExecutionProviderName,
): Ort.InferenceSession.SessionOptions {
  const { intraOpThreads, interOpThreads } = settings;
  // onnxruntime_session_options_config_keys.h: session.intra_op.allow_spinning and inter_op's.
  const spinning = settings.threadSpinning ? '1' : '0';
  return {
    executionProviders: [provider],
    ...(intraOpThreads > 0 ? { intraOpNumThreads: intraOpThreads } : {}),
    ...(interOpThreads > 0 ? { interOpNumThreads: interOpThreads } : {}),
    extra: {
      session: {
        intra_op: { allow_spinning: spinning },
        inter_op: { allow_spinning: spinning },
      },
    },
  };
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).trim();
}

/**
 * Creates ONNX Runtime sessions from file paths (so external weight files next to the .onnx
 * load) with the configured providers. ORT does not fall back by itself when a list of
 * providers is given (it throws), so they are tried one at a time. A provider that fails while
 * CPU then loads the same file is remembered as unavailable: later sessions skip it, and it is
 * reported in one warning. When CPU fails too, the file is at fault and the error says why.
 */
export class SessionFactory {
  private readonly unavailable = new Map<ExecutionProviderName, string>();

  constructor(
    private readonly settings: SessionSettings,
    private readonly logger: Logger,
  ) {}

  /** Providers found unavailable so far, with ORT's reason. */
  get unavailableProviders(): ReadonlyMap<ExecutionProviderName, string> {
    return this.unavailable;
  }

  /** Opens `file` as an in-thread ONNX Runtime session. */
  async create(
    file: string,
    role: ModelRole,
  ): Promise<{ session: Ort.InferenceSession; provider: ExecutionProviderName }> {
    const ort = await loadOrt();
    return this.createWith(file, role, (f, options) => ort.InferenceSession.create(f, options));
  }

  /** Opens `file` through `open` (e.g. a session in a worker thread), provider by provider. */
  async createWith<S>(
    file: string,
    role: ModelRole,
    open: SessionOpen<S>,
  ): Promise<{ session: S; provider: ExecutionProviderName }> {
    try {
      await access(file);
    } catch {
      throw new ModelLoadError(file, role, 'the file does not exist or cannot be read');
    }
    const order = this.settings.providers.filter((p) => !this.unavailable.has(p));
    if (!order.includes('cpu')) order.push('cpu');
    const failed = new Map<ExecutionProviderName, string>();
    for (const provider of order) {
      try {
        const session = await open(file, this.options(provider));
        this.reportFallback(failed, provider);
        return { session, provider };
      } catch (err) {
        if (provider === 'cpu') {
          const tried = [...failed.keys()];
          throw new ModelLoadError(
            file,
            role,
            messageOf(err) + (tried.length ? ` (also failed with ${tried.join(', ')})` : ''),
          );
        }
        failed.set(provider, messageOf(err));
      }
    }
    // Unreachable: the loop ends with CPU, which either returns or throws.
    throw new ModelLoadError(file, role, 'no execution provider was tried');
  }

  private options(provider: ExecutionProviderName): Ort.InferenceSession.SessionOptions {
    return sessionOptions(this.settings, provider);
  }

  private reportFallback(
    failed: Map<ExecutionProviderName, string>,
    used: ExecutionProviderName,
  ): void {
    if (failed.size === 0) return;
    for (const [provider, reason] of failed) this.unavailable.set(provider, reason);
    const names = [...failed.keys()];
    const gpu = names.some((p) => p === 'cuda' || p === 'tensorrt');
    this.logger.warn(
      { providers: Object.fromEntries(failed), using: used },
      `ONNX Runtime execution provider ${names.join(', ')} is not available ` +
        `(${[...failed.values()].join('; ')}); running on ${used} instead.` +
        (gpu ? ` To install the GPU providers run: ${GPU_OPT_IN_COMMAND}` : ''),
    );
  }
}
