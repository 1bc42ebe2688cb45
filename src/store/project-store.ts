import Database from 'better-sqlite3';
import type { Logger } from '../log/logger.js';
import { ClassStore } from './class-store.js';
import { InvalidValueError } from './errors.js';
import { DEFAULT_HISTORY_LIMIT, HistoryLog } from './history-log.js';
import { ImageStore } from './image-store.js';
import { applyImport, type ImportMode, type ImportResult } from './import-batch.js';
import { userVersion } from './migrations.js';
import { ObjectStore } from './object-store.js';
import {
  BUSY_TIMEOUT_MS,
  openProjectDatabase,
  projectDirOf,
  type ProjectLocation,
  type Synchronous,
} from './open-database.js';
import type {
  AnnotationSource,
  ClassRecord,
  ImageRecord,
  ImportBatch,
  ObjectRecord,
} from './records.js';
import { projectStats, type ProjectStats, type StatsOptions } from './stats.js';
import { isWholeNumber, type StoreContext } from './store-context.js';
import { checkValidationOptions, type ValidationOptions } from './validation.js';

export interface OpenProjectOptions extends ProjectLocation {
  /** 'normal' (default) survives a killed process; 'full' also power loss. See Synchronous. */
  synchronous?: Synchronous;
  /** Warning thresholds; defaults are the config defaults of validation.minArea / maxOverlap. */
  validation?: Partial<ValidationOptions>;
  /** Undo entries kept per image (default 200). */
  historyLimit?: number;
  /** The clock that dates objects and history (tests inject one). */
  clock?: () => Date;
  /** Told at debug level which file was opened, its schema version and sync mode. */
  logger?: Logger;
}

/**
 * The project database: classes, images, objects with per-image undo/redo, imports and
 * statistics. One instance per process is the rule; a second handle (another process, a CLI
 * command beside the server) works too: SQLite WAL lets readers run beside the one writer,
 * and writers wait for each other up to 5 s.
 */
export class ProjectStore implements AnnotationSource {
  readonly classes: ClassStore;
  readonly images: ImageStore;
  readonly objects: ObjectStore;
  readonly validation: ValidationOptions;
  private readonly history: HistoryLog;
  private readonly ctx: StoreContext;

  private constructor(
    readonly dir: string,
    readonly file: string,
    readonly db: Database.Database,
    options: OpenProjectOptions,
  ) {
    const clock = options.clock ?? (() => new Date());
    this.ctx = { db, file, now: () => clock().toISOString() };
    this.validation = checkValidationOptions(options.validation ?? {});
    const historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    if (!isWholeNumber(historyLimit, 1)) {
      throw new InvalidValueError(
        `historyLimit must be a whole number >= 1, got ${String(historyLimit)}`,
        'historyLimit',
        historyLimit,
      );
    }
    this.classes = new ClassStore(this.ctx);
    this.images = new ImageStore(this.ctx);
    this.history = new HistoryLog(this.ctx, historyLimit);
    this.objects = new ObjectStore(
      this.ctx,
      this.images,
      this.classes,
      this.history,
      this.validation,
    );
  }

  /** Opens the project of a dataset (`<dataset>/.sam-annotator/project.db`) or of `projectDir`. */
  static open(options: OpenProjectOptions): ProjectStore {
    const dir = projectDirOf(options);
    const { db, file } = openProjectDatabase(dir, { synchronous: options.synchronous });
    try {
      const store = new ProjectStore(dir, file, db, options);
      options.logger?.debug(
        { file, schemaVersion: store.schemaVersion, synchronous: options.synchronous ?? 'normal' },
        'project database open',
      );
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  get schemaVersion(): number {
    return userVersion(this.db);
  }

  /** AnnotationSource: classes by position. */
  listClasses(): ClassRecord[] {
    return this.classes.list();
  }

  /**
   * AnnotationSource: every image in the dataset order (as images.list), streamed. It reads through a connection of its own,
   * so that the snapshot stays consistent and writes on this handle are not blocked while an
   * export awaits between images.
   */
  *iterateImages(): Generator<ImageRecord> {
    const reader = new Database(this.file, {
      readonly: true,
      fileMustExist: true,
      timeout: BUSY_TIMEOUT_MS,
    });
    try {
      const rows = reader
        .prepare(`SELECT id, key, path, width, height, status, note FROM images ORDER BY ord, id`)
        .iterate() as IterableIterator<ImageRecord>;
      yield* rows;
    } finally {
      reader.close();
    }
  }

  /** AnnotationSource: the objects of an image, by id. */
  objectsOf(imageId: number): ObjectRecord[] {
    return this.objects.listOf(imageId);
  }

  /** Applies an importer's batch in one transaction (see import-batch.ts). */
  applyImport(batch: ImportBatch, options: { mode: ImportMode }): ImportResult {
    return applyImport(
      this.ctx,
      { classes: this.classes, images: this.images, objects: this.objects, history: this.history },
      batch,
      options,
    );
  }

  stats(options?: StatsOptions): ProjectStats {
    return projectStats(this.ctx, options);
  }

  /** `PRAGMA integrity_check`: ['ok'] for a sound file, otherwise the problems found. */
  integrityCheck(): string[] {
    const rows = this.db.pragma('integrity_check') as Record<string, unknown>[];
    return rows.map((row) => String(Object.values(row)[0]));
  }

  /**
   * Frees SQLite's cached pages and the decoded masks kept for overlap checks (a memory
   * releaser under pressure); both are read again on demand.
   */
  releaseMemory(): void {
    this.objects.runsCache.clear();
    this.db.pragma('shrink_memory');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
