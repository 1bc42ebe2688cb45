import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';

/** The one command that turns on GPU providers (the install script is kept from running by default). */
// `npm rebuild` would not do: npm skips the scripts that allowScripts denies on rebuild too.
export const GPU_OPT_IN_COMMAND =
  'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js';

export interface ExecutionProviderInfo {
  name: string;
  /** Shipped inside the npm package, or its provider library was installed next to the binding. */
  installed: boolean;
  detail: string;
}

export interface OnnxRuntimeInfo {
  /** null when the native binding failed to load (then `loadError` says why). */
  version: string | null;
  loadError: string | null;
  bindingDir: string | null;
  providers: ExecutionProviderInfo[];
  gpuOptIn: string;
}

/** Provider libraries that `npm rebuild` with ONNXRUNTIME_NODE_INSTALL places beside the binding. */
const PROVIDER_LIBRARIES: Record<string, string> = {
  cuda: 'libonnxruntime_providers_cuda.so',
  tensorrt: 'libonnxruntime_providers_tensorrt.so',
};

function bindingDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkgDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = path.join(pkgDir, 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}

/**
 * What ONNX Runtime offers on this machine, without loading a model. Whether a provider really
 * runs is only known when a session is created with it; the model layer tries them one at a time.
 * The binding is imported here, not at module load, so that a broken install is reported instead
 * of crashing every command.
 */
export async function describeOnnxRuntime(): Promise<OnnxRuntimeInfo> {
  const dir = bindingDir();
  let ort: typeof Ort;
  try {
    ort = await import('onnxruntime-node');
  } catch (err) {
    return {
      version: null,
      loadError: (err as Error).message,
      bindingDir: dir,
      providers: [],
      gpuOptIn: GPU_OPT_IN_COMMAND,
    };
  }
  const providers = ort.listSupportedBackends().map(({ name, bundled }): ExecutionProviderInfo => {
    if (bundled) {
      return {
        name,
        installed: true,
        detail: name === 'cpu' ? 'bundled' : 'bundled; needs a matching GPU adapter at run time',
      };
    }
    const library = PROVIDER_LIBRARIES[name];
    const present = Boolean(dir && library && existsSync(path.join(dir, library)));
    return {
      name,
      installed: present,
      detail: present
        ? `provider library ${library} installed`
        : `not installed (${GPU_OPT_IN_COMMAND})`,
    };
  });
  return {
    version: ort.env.versions.node ?? ort.env.versions.common,
    loadError: null,
    bindingDir: dir,
    providers,
    gpuOptIn: GPU_OPT_IN_COMMAND,
  };
}
