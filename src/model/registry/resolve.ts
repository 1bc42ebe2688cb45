import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ModelIntegrityError, ModelNotInstalledError, ModelResolveError } from './errors.js';
import { findInstalled } from './installed.js';
import { KNOWN_MODELS, findKnownModel, type ModelEntry } from './known-models.js';
import { fileIn, manifestPath, readManifest, type ModelManifest } from './manifest.js';
import { checkManifestFiles, describeProblems, type CheckMode } from './verify.js';

export interface ResolvedModel {
  encoderPath: string;
  decoderPath: string;
  /** The folder holding the pair. */
  dir: string;
  /** The manifest's name, else the folder or encoder file name. */
  name: string;
  /** How `--model` named it. */
  kind: 'name' | 'folder' | 'file';
  manifest?: ModelManifest;
  manifestPath?: string;
}

export interface ResolveOptions {
  /** The models folder where names are looked up. */
  modelsDir: string;
  registry?: readonly ModelEntry[];
  /**
   * How a model with a manifest is checked before use: `quick` (default) compares sizes and
   * re-hashes files whose modification time changed, `full` re-hashes everything.
   */
  check?: CheckMode | 'none';
  /** Relative paths start here. */
  cwd?: string;
}

const ONNX = /\.onnx$/i;
const ENCODER = /encoder/i;
const DECODER = /decoder/i;

/**
 * Turns `--model NAME|DIR|FILE` into the paths of an encoder/decoder pair: a known or installed
 * model name, a folder (with a model.json, or holding one `*encoder*.onnx` and one
 * `*decoder*.onnx`), or an encoder file whose decoder lies next to it.
 */
export async function resolveModel(spec: string, options: ResolveOptions): Promise<ResolvedModel> {
  const trimmed = spec.trim();
  if (trimmed === '')
    throw new ModelResolveError(
      '--model is empty: give a model name, a folder or an encoder file.',
      spec,
    );
  const asPath = path.resolve(options.cwd ?? process.cwd(), trimmed);
  let resolved: ResolvedModel;
  if (existsSync(asPath)) {
    const info = await stat(asPath);
    resolved = info.isDirectory()
      ? await fromFolder(asPath, spec, 'folder')
      : await fromEncoderFile(asPath, spec);
  } else {
    resolved = await fromName(trimmed, asPath, options);
  }
  if (resolved.manifest && (options.check ?? 'quick') !== 'none') {
    await checkInstalledFiles(resolved, options.check === 'full' ? 'full' : 'quick');
  }
  return resolved;
}

async function fromName(
  name: string,
  asPath: string,
  options: ResolveOptions,
): Promise<ResolvedModel> {
  const registry = options.registry ?? KNOWN_MODELS;
  const known = findKnownModel(name, registry);
  const looksLikeName = !/[/\\]/.test(name);
  if (looksLikeName) {
    const installed = await findInstalled(options.modelsDir, known?.name ?? name);
    if (installed) return fromFolder(installed.dir, name, 'name');
  }
  if (known) throw new ModelNotInstalledError(known.name, options.modelsDir);
  throw new ModelResolveError(
    `--model ${name}: there is no file or folder at ${asPath}` +
      (looksLikeName
        ? `, and "${name}" is neither a known model nor installed in ${options.modelsDir}. ` +
          `Known models: ${registry.map((m) => m.name).join(', ')}.`
        : '.'),
    name,
  );
}

async function fromFolder(
  dir: string,
  spec: string,
  kind: ResolvedModel['kind'],
): Promise<ResolvedModel> {
  if (existsSync(manifestPath(dir))) {
    const manifest = await readManifest(dir);
    return {
      encoderPath: fileIn(dir, manifest.encoder),
      decoderPath: fileIn(dir, manifest.decoder),
      dir,
      name: manifest.name,
      kind,
      manifest,
      manifestPath: manifestPath(dir),
    };
  }
  const onnx = await onnxFilesIn(dir);
  const encoders = onnx.filter((f) => ENCODER.test(f));
  const decoders = onnx.filter((f) => DECODER.test(f) && !ENCODER.test(f));
  const found = onnx.length ? `it holds: ${onnx.join(', ')}` : 'it holds no .onnx file';
  if (encoders.length !== 1 || decoders.length !== 1) {
    const several = encoders.length > 1 || decoders.length > 1;
    throw new ModelResolveError(
      `--model ${spec}: ${dir} has no model.json, so it must hold exactly one *encoder*.onnx ` +
        `and one *decoder*.onnx; ${found}.` +
        (several ? ' Pass the encoder file itself to choose one.' : ''),
      spec,
    );
  }
  return {
    encoderPath: path.join(dir, encoders[0]!),
    decoderPath: path.join(dir, decoders[0]!),
    dir,
    name: path.basename(dir),
    kind,
  };
}

async function fromEncoderFile(file: string, spec: string): Promise<ResolvedModel> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  if (!ONNX.test(base) || !ENCODER.test(base)) {
    const what = DECODER.test(base) ? 'a decoder' : 'not an encoder (*encoder*.onnx)';
    throw new ModelResolveError(
      `--model ${spec}: ${file} is ${what}. Pass the encoder file or the folder holding the pair.`,
      spec,
    );
  }
  const manifest = existsSync(manifestPath(dir)) ? await readManifest(dir) : undefined;
  if (manifest && fileIn(dir, manifest.encoder) === file) {
    return { ...(await fromFolder(dir, spec, 'file')), kind: 'file' };
  }
  const decoderPath = await decoderBeside(file, dir, base, spec);
  return { encoderPath: file, decoderPath, dir, name: base.replace(ONNX, ''), kind: 'file' };
}

/** The decoder of an encoder: its name with "encoder" -> "decoder", else the folder's only decoder. */
async function decoderBeside(
  file: string,
  dir: string,
  base: string,
  spec: string,
): Promise<string> {
  const twin = base.replace(/encoder(?!.*encoder)/i, (word) =>
    word === word.toUpperCase() ? 'DECODER' : word[0] === 'E' ? 'Decoder' : 'decoder',
  );
  if (existsSync(path.join(dir, twin))) return path.join(dir, twin);
  const decoders = (await onnxFilesIn(dir)).filter((f) => DECODER.test(f) && !ENCODER.test(f));
  if (decoders.length === 1) return path.join(dir, decoders[0]!);
  throw new ModelResolveError(
    `--model ${spec}: no decoder next to ${file}: expected ${path.join(dir, twin)}` +
      (decoders.length > 1
        ? `, or a single *decoder*.onnx in ${dir} (found ${decoders.join(', ')}).`
        : ` or another *decoder*.onnx in ${dir}.`),
    spec,
  );
}

async function onnxFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && ONNX.test(e.name))
    .map((e) => e.name)
    .sort();
}

async function checkInstalledFiles(model: ResolvedModel, mode: CheckMode): Promise<void> {
  const checks = await checkManifestFiles(model.dir, model.manifest!, mode);
  const problems = describeProblems(checks);
  if (problems.length === 0) return;
  throw new ModelIntegrityError(
    `Model ${model.name} in ${model.dir} does not match its model.json: ${problems.join('; ')}. ` +
      `Run \`sam-annotator models pull ${model.name} --force\` to download it again.`,
    model.dir,
  );
}
