/**
 * A real annotation server over a dataset folder the test prepared itself (a generated photo, a
 * 100,000-image tree). `startTestServer` copies named sample photos instead; this one leaves the
 * folder untouched and keeps the project (SQLite, embeddings) in a temporary folder, so a large
 * generated dataset can be reused between runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openAnnotationSession } from '../../cli/annotation-session.js';
import { loadConfig, parseSetFlags } from '../../config/index.js';
import { silentLogger } from '../../log/logger.js';
import { buildServer } from '../../server/app.js';
import type { ServerOptions } from '../../server/server-context.js';
import { EXAMPLE_CLASSES, type TestServer } from '../../server/server-test-support.js';

export async function startDatasetServer(
  datasetDir: string,
  options: { server?: Partial<ServerOptions>; set?: Record<string, string>; webRoot: string },
): Promise<TestServer> {
  const projectDir = mkdtempSync(path.join(os.tmpdir(), 'sam-e2e-project-'));
  const settings = { 'prefetch.depth': '0', ...options.set };
  const config = loadConfig({
    env: {},
    flags: parseSetFlags(Object.entries(settings).map(([k, v]) => `${k}=${v}`)),
  });
  const session = await openAnnotationSession({
    datasetDir,
    projectDir,
    classesFile: EXAMPLE_CLASSES,
    config,
    logger: silentLogger,
    version: '0.0.0-test',
    webRoot: options.webRoot,
  }).catch((error: unknown) => {
    rmSync(projectDir, { recursive: true, force: true });
    throw error;
  });
  const server = await buildServer(session.deps, {
    host: '127.0.0.1',
    token: null,
    ...options.server,
  });
  return {
    server,
    session,
    datasetDir,
    async close() {
      await server.close();
      await session.close();
      rmSync(projectDir, { recursive: true, force: true });
    },
  };
}
