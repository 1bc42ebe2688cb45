import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { CV } from '@techstark/opencv-js';

export type { CV };
export type { Mat } from '@techstark/opencv-js';

/**
 * The ready OpenCV module, wrapped. The emscripten module object has a `then` method, so
 * resolving a promise with it (or awaiting it) adopts it as a thenable and never settles: it
 * must only ever travel inside a plain object.
 */
export interface OpenCv {
  readonly cv: CV;
}

/** What the emscripten module object carries besides the OpenCV API. */
interface EmscriptenModule {
  onRuntimeInitialized?: () => void;
  onAbort?: (what: unknown) => void;
  Mat?: unknown;
}

let loading: Promise<OpenCv> | undefined;

/**
 * The process-wide OpenCV (wasm), compiled on first use (~0.5 s) and shared by every caller.
 * Loaded with require: under Vitest an ESM import of this package never settles (STACK.md).
 */
export function loadOpenCv(): Promise<OpenCv> {
  loading ??= start().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

function start(): Promise<OpenCv> {
  return new Promise<OpenCv>((resolve, reject) => {
    const module = requireWithoutProcessHooks() as EmscriptenModule;
    // Embind registers classes when the runtime is up: Mat exists only after initialisation.
    if (typeof module.Mat === 'function') {
      resolve({ cv: module as unknown as CV });
      return;
    }
    const previousInit = module.onRuntimeInitialized;
    module.onRuntimeInitialized = () => {
      previousInit?.();
      resolve({ cv: module as unknown as CV });
    };
    const previousAbort = module.onAbort;
    module.onAbort = (what: unknown) => {
      previousAbort?.(what);
      reject(new Error(`OpenCV (wasm) aborted while loading: ${String(what)}`));
    };
  });
}

/**
 * Requires the package and removes the process listeners its emscripten glue installs:
 * an 'unhandledRejection' handler that aborts the wasm runtime (killing OpenCV for the rest of
 * the process over any unrelated rejected promise) and an 'uncaughtException' one that
 * rethrows. The host application owns those events.
 */
function requireWithoutProcessHooks(): unknown {
  const emitter: EventEmitter = process;
  const events = ['unhandledRejection', 'uncaughtException'];
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const module: unknown = createRequire(import.meta.url)('@techstark/opencv-js');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) {
        emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
  return module;
}

/** OpenCV's wasm build throws C++ exceptions as bare numbers (pointers): give them a message. */
export function openCvError(cv: CV, err: unknown, during: string): Error {
  if (typeof err === 'number') {
    const detail = (cv.exceptionFromPtr(err) as { msg?: string } | undefined)?.msg;
    return new Error(`OpenCV failed during ${during}: ${detail ?? `exception ${err}`}`);
  }
  return err instanceof Error ? err : new Error(`OpenCV failed during ${during}: ${String(err)}`);
}
