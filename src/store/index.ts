/** Public API of store/: the project database. */
export * from './records.js';
export * from './errors.js';
export { ProjectStore, type OpenProjectOptions } from './project-store.js';
export {
  APPLICATION_ID,
  PROJECT_DB_NAME,
  PROJECT_DIR_NAME,
  projectDirOf,
  type ProjectLocation,
  type Synchronous,
} from './open-database.js';
export { SCHEMA_VERSION } from './migrations.js';
export { CLASS_PALETTE } from './class-values.js';
export type { AddClassesResult, ClassStore, DeleteClassResult } from './class-store.js';
export type {
  ImagePage,
  ImageQuery,
  ImageStore,
  ImageSummary,
  StatusCounts,
  SyncEntry,
  SyncResult,
} from './image-store.js';
export type { ChangeResult, NewObject, ObjectPatch, ObjectStore } from './object-store.js';
export type { AppliedChange, ChangeKind, HistoryCounts } from './history-log.js';
export type { ImportMode, ImportResult } from './import-batch.js';
export {
  DEFAULT_VERTEX_SAMPLE,
  type ClassStats,
  type ProjectStats,
  type StatsOptions,
} from './stats.js';
export { DEFAULT_VALIDATION, type ObjectWarning, type ValidationOptions } from './validation.js';
