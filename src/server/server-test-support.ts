import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, parseSetFlags } from '../config/index.js';
import { silentLogger } from '../log/logger.js';
import { openAnnotationSession, type AnnotationSession } from '../cli/annotation-session.js';
import { buildServer, type AnnotationServer } from './app.js';
import type { Segmenter } from '../model/segmenter.js';
import type { ServerOptions } from './server-context.js';

export const EXAMPLE_PHOTOS = fileURLToPath(new URL('../../examples/photos/', import.meta.url));
export const EXAMPLE_CLASSES = fileURLToPath(
  new URL('../../examples/classes.csv', import.meta.url),
);

export interface TestServer {
  server: AnnotationServer;
  session: AnnotationSession;
  datasetDir: string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  server?: Partial<ServerOptions>;
  set?: Record<string, string>;
  webRoot?: string | null;
  /** A segmenter the test opened (closed with the server); default: the built-in one. */
  segmenter?: Segmenter;
}

/**
 * A real server over a dataset folder: real index, SQLite project, default segmenter and
 * engine. The project lives in `projectDir` (default: inside the dataset); `cleanup` runs after
 * everything is closed. Requests go through app.inject unless a test listens.
 */
async function serveDataset(
  datasetDir: string,
  projectDir: string | undefined,
  options: TestServerOptions,
  cleanup: () => void,
): Promise<TestServer> {
  const config = loadConfig({
    env: {},
    flags: parseSetFlags(
      Object.entries({ 'prefetch.depth': '0', ...options.set }).map(([k, v]) => `${k}=${v}`),
    ),
  });
  const session = await openAnnotationSession({
    datasetDir,
    ...(projectDir ? { projectDir } : {}),
    classesFile: EXAMPLE_CLASSES,
    config,
    logger: silentLogger,
    version: '0.0.0-test',
    webRoot: options.webRoot ?? null,
    ...(options.segmenter ? { segmenter: options.segmenter } : {}),
  }).catch((error: unknown) => {
    cleanup();
    throw error;
  });
  const server = await buildServer(session.deps, {
    host: '127.0.0.1',
    token: null,
    statusIntervalMs: 50,
    ...options.server,
  });
  return {
    server,
    session,
    datasetDir,
    async close() {
      await server.close();
      await session.close();
      cleanup();
    },
  };
}

/** A server over a temporary copy of sample photos (the third one in a subfolder). */
export function startTestServer(
  options: TestServerOptions & { photos?: string[] } = {},
): Promise<TestServer> {
  const datasetDir = mkdtempSync(path.join(os.tmpdir(), 'sam-server-'));
  const photos = options.photos ?? ['coffee.png', 'chelsea.png', 'rocket.jpg'];
  for (const [i, photo] of photos.entries()) {
    const sub = i === 2 ? path.join(datasetDir, 'more') : datasetDir;
    mkdirSync(sub, { recursive: true });
    copyFileSync(path.join(EXAMPLE_PHOTOS, photo), path.join(sub, photo));
  }
  return serveDataset(datasetDir, undefined, options, () =>
    rmSync(datasetDir, { recursive: true, force: true }),
  );
}

/**
 * A server over a folder the test prepared itself (a generated photo, a 100,000-image tree),
 * left untouched: the project goes to a temporary folder, so a large generated dataset can be
 * reused between runs.
 */
export function startDatasetServer(
  datasetDir: string,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const projectDir = mkdtempSync(path.join(os.tmpdir(), 'sam-e2e-project-'));
  return serveDataset(datasetDir, projectDir, options, () =>
    rmSync(projectDir, { recursive: true, force: true }),
  );
}
