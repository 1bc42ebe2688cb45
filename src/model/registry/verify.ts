import { existsSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ModelNotInstalledError, ModelResolveError, UnknownModelError } from './errors.js';
import { hashFile } from './hash-file.js';
import { findInstalled, listInstalled } from './installed.js';
import { KNOWN_MODELS, findKnownModel, type ModelEntry } from './known-models.js';
import {
  fileIn,
  manifestPath,
  readManifest,
  writeManifest,
  type ManifestFileRecord,
  type ModelManifest,
} from './manifest.js';

export type FileStatus = 'ok' | 'missing' | 'size-changed' | 'hash-changed';

export interface FileCheck {
  path: string;
  status: FileStatus;
  expectedBytes: number;
  expectedSha256: string;
  hashSource: ManifestFileRecord['hashSource'];
  actualBytes?: number;
  /** Only when the file was hashed. */
  actualSha256?: string;
  /** Modification time seen before hashing. */
  mtimeMs?: number;
}

export interface VerifyReport {
  name: string;
  dir: string;
  ok: boolean;
  files: FileCheck[];
}

/**
 * `full` hashes every file; `quick` checks sizes and hashes only files whose modification time
 * differs from the stamp in the manifest (what a load does: cheap when nothing changed, and a
 * rewritten file is still caught).
 */
export type CheckMode = 'full' | 'quick';

export async function checkManifestFiles(
  modelDir: string,
  manifest: ModelManifest,
  mode: CheckMode,
  signal?: AbortSignal,
): Promise<FileCheck[]> {
  const checks: FileCheck[] = [];
  for (const record of manifest.files) {
    const base = {
      path: record.path,
      expectedBytes: record.bytes,
      expectedSha256: record.sha256,
      hashSource: record.hashSource,
    };
    const file = fileIn(modelDir, record.path);
    let info;
    try {
      info = await stat(file);
    } catch {
      checks.push({ ...base, status: 'missing' });
      continue;
    }
    if (!info.isFile()) {
      checks.push({ ...base, status: 'missing' });
    } else if (info.size !== record.bytes) {
      checks.push({ ...base, status: 'size-changed', actualBytes: info.size });
    } else if (mode === 'quick' && record.mtimeMs === info.mtimeMs) {
      checks.push({ ...base, status: 'ok', actualBytes: info.size, mtimeMs: info.mtimeMs });
    } else {
      const digest = await hashFile(file, signal);
      checks.push({
        ...base,
        status: digest.sha256 === record.sha256 ? 'ok' : 'hash-changed',
        actualBytes: digest.bytes,
        actualSha256: digest.sha256,
        mtimeMs: info.mtimeMs,
      });
    }
  }
  return checks;
}

/** One line per failed file, for error messages and the CLI. */
export function describeProblems(checks: readonly FileCheck[]): string[] {
  return checks
    .filter((c) => c.status !== 'ok')
    .map((c) => {
      switch (c.status) {
        case 'missing':
          return `${c.path}: missing`;
        case 'size-changed':
          return `${c.path}: size changed (expected ${c.expectedBytes} bytes, found ${c.actualBytes})`;
        default:
          return `${c.path}: content changed (expected sha256 ${c.expectedSha256}, found ${c.actualSha256})`;
      }
    });
}

export interface VerifyOptions {
  modelsDir: string;
  registry?: readonly ModelEntry[];
  signal?: AbortSignal;
}

/**
 * Re-hashes every file of an installed model (a name in the models folder, or a model folder)
 * against its model.json. When all files match but were touched, the manifest's time stamps
 * are refreshed so that quick checks at load time stop re-hashing them.
 */
export async function verifyModel(target: string, options: VerifyOptions): Promise<VerifyReport> {
  const dir = await modelDirOf(target, options);
  const manifest = await readManifest(dir);
  const files = await checkManifestFiles(dir, manifest, 'full', options.signal);
  const ok = files.every((f) => f.status === 'ok');
  if (ok) await refreshStamps(dir, manifest, files);
  return { name: manifest.name, dir, ok, files };
}

/** Every installed model of the folder; unreadable manifests are reported as failed models. */
export async function verifyAllInstalled(options: VerifyOptions): Promise<{
  reports: VerifyReport[];
  problems: string[];
}> {
  const listing = await listInstalled(options.modelsDir);
  const reports: VerifyReport[] = [];
  for (const model of listing.models) reports.push(await verifyModel(model.dir, options));
  return { reports, problems: listing.problems.map((p) => p.message) };
}

async function modelDirOf(target: string, options: VerifyOptions): Promise<string> {
  const asPath = path.resolve(target);
  if (existsSync(asPath) && statSync(asPath).isDirectory()) {
    if (!existsSync(manifestPath(asPath))) {
      throw new ModelResolveError(
        `${asPath} holds no model.json: only models installed by \`models pull\` can be verified.`,
        target,
      );
    }
    return asPath;
  }
  const registry = options.registry ?? KNOWN_MODELS;
  const name = findKnownModel(target, registry)?.name ?? target;
  const installed = await findInstalled(options.modelsDir, name);
  if (installed) return installed.dir;
  if (findKnownModel(target, registry)) throw new ModelNotInstalledError(name, options.modelsDir);
  throw new UnknownModelError(
    target,
    registry.map((m) => m.name),
  );
}

async function refreshStamps(
  dir: string,
  manifest: ModelManifest,
  checks: readonly FileCheck[],
): Promise<void> {
  const seen = new Map(checks.map((c) => [c.path, c.mtimeMs]));
  if (manifest.files.every((f) => f.mtimeMs === seen.get(f.path))) return;
  const files = manifest.files.map((f) => ({ ...f, mtimeMs: seen.get(f.path) ?? f.mtimeMs }));
  // Only an optimisation of later loads: a read-only models folder is fine.
  await writeManifest(dir, { ...manifest, files }).catch(() => undefined);
}
