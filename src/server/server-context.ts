import type { Config } from '../config/index.js';
import type { ImageIndex, ImageService } from '../dataset/index.js';
import type { Logger } from '../log/logger.js';
import type { MemoryManager } from '../memory/index.js';
import type { SegmentationEngine } from '../model/embedding/index.js';
import type { ProjectStore } from '../store/index.js';
import type { SessionInfo } from './api-contract.js';
import type { EventHub } from './event-hub.js';
import type { ExportJobs } from './export-jobs.js';
import type { ImageIndexIds } from './image-lookup.js';
import type { ServerMetrics } from './metrics.js';
import type { ModelStatus } from './model-status.js';
import type { RefineTokens } from './refine-tokens.js';

/** What the server is built from: the layers below, already open. The CLI wires them. */
export interface ServerDeps {
  version: string;
  config: Config;
  logger: Logger;
  /** Absolute dataset root; every file path the API touches is confined to it. */
  datasetDir: string;
  index: ImageIndex;
  images: ImageService;
  store: ProjectStore;
  engine: SegmentationEngine;
  memory: MemoryManager;
  model: SessionInfo['model'];
  /** Where export jobs write (the project folder's exports/). */
  exportsDir: string;
  /** Built page (dist/web); null serves the API only. */
  webRoot: string | null;
}

export interface ServerOptions {
  /** Required on every request when set (mandatory for a non-loopback host). */
  token: string | null;
  /** The host the server binds; decides which Host headers are accepted without a token. */
  host: string;
  /** Points per predict request. */
  maxPoints: number;
  /** Bytes per request body. */
  bodyLimit: number;
  /** Status events (memory, caches, prefetch) every this many ms while a page listens. */
  statusIntervalMs: number;
}

/** Everything a route needs, built once per app. */
export interface ServerContext extends ServerDeps {
  options: ServerOptions;
  hub: EventHub;
  metrics: ServerMetrics;
  refineTokens: RefineTokens;
  /** Dataset index ids by API image id, for the predict path. */
  imageIndexIds: ImageIndexIds;
  modelStatus: ModelStatus;
  exports: ExportJobs;
}
