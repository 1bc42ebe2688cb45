import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ProjectFileError, StoreError } from './errors.js';
import { SCHEMA_VERSION, migrate, newerVersionError, type MigrateOptions } from './migrations.js';

export const PROJECT_DIR_NAME = '.sam-annotator';
export const PROJECT_DB_NAME = 'project.db';
/** `PRAGMA application_id` of our databases: "SAMA". Tells our files from other SQLite files. */
export const APPLICATION_ID = 0x53414d41;
/** How long a writer waits for another connection's write transaction before giving up. */
export const BUSY_TIMEOUT_MS = 5000;
/** Cap of SQLite's page cache per connection. */
export const PAGE_CACHE_KIB = 32 * 1024;

/**
 * When a commit reaches the disk.
 * - 'normal' (default): in WAL mode a commit is appended to the -wal file (the OS holds it)
 *   before the call returns; the WAL is fsynced at checkpoints. A killed or crashed process
 *   (SIGKILL, out-of-memory kill, segfault) loses nothing it acknowledged. Only an operating
 *   system crash or power loss can roll back the last transactions before the next checkpoint,
 *   and the database stays consistent even then.
 * - 'full': the WAL is also fsynced on every commit, so acknowledged changes survive power
 *   loss, at the cost of one fsync per change.
 */
export type Synchronous = 'normal' | 'full';

export interface ProjectLocation {
  /** The dataset folder; the project lives in `<datasetDir>/.sam-annotator/` ... */
  datasetDir?: string;
  /** ... unless a project folder is given (`--project DIR`, for read-only datasets). */
  projectDir?: string;
}

export function projectDirOf(location: ProjectLocation): string {
  if (location.projectDir) return path.resolve(location.projectDir);
  if (location.datasetDir) {
    // A mistyped dataset path must not quietly become a new, empty project folder.
    if (!statSync(location.datasetDir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new ProjectFileError(
        `The dataset folder ${path.resolve(location.datasetDir)} does not exist or is not a folder`,
        path.resolve(location.datasetDir),
      );
    }
    return path.resolve(location.datasetDir, PROJECT_DIR_NAME);
  }
  throw new StoreError(
    'A project needs a dataset folder or a project folder (--project DIR)',
    'invalid',
    'projectDir',
  );
}

export interface OpenDatabaseOptions extends MigrateOptions {
  synchronous?: Synchronous;
}

/**
 * Opens (creating when absent) the project database in `dir`: checks that the file is ours,
 * switches to WAL with foreign keys on, and migrates it to the current schema.
 */
export function openProjectDatabase(
  dir: string,
  options: OpenDatabaseOptions = {},
): { db: Database.Database; file: string } {
  makeProjectDir(dir);
  const file = path.join(dir, PROJECT_DB_NAME);
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw new ProjectFileError(
      `Cannot open the project database ${file}: ${(err as Error).message}`,
      file,
      { cause: err },
    );
  }
  try {
    checkOwnership(db, file, options.migrations?.length ?? SCHEMA_VERSION);
    configure(db, file, options.synchronous ?? 'normal');
    migrate(db, file, options);
    return { db, file };
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    throw new ProjectFileError(
      `Cannot use the project database ${file}: ${describeSqliteError(err)}`,
      file,
      { cause: err },
    );
  }
}

function makeProjectDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint =
      code === 'EACCES' || code === 'EROFS' || code === 'EPERM'
        ? ': the folder cannot be written; keep the project elsewhere with --project DIR'
        : '';
    throw new ProjectFileError(
      `Cannot create the project folder ${dir} (${code ?? (err as Error).message})${hint}`,
      dir,
      { cause: err },
    );
  }
}

/** Refuses SQLite files that are not ours and projects written by a newer version. */
function checkOwnership(db: Database.Database, file: string, knownVersion: number): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (appId === APPLICATION_ID) {
    if (version > knownVersion) throw newerVersionError(file, version, knownVersion);
    return;
  }
  const tables = db.prepare(`SELECT count(*) FROM sqlite_master`).pluck().get() as number;
  if (appId === 0 && version === 0 && tables === 0) {
    // A new (empty) file: claim it. Written before the first migration commits.
    db.pragma(`application_id = ${APPLICATION_ID}`);
    return;
  }
  throw new ProjectFileError(
    `${file} is a SQLite database but not a sam-annotator project (application_id ${appId}, ${tables} schema objects). Move it away or keep the project elsewhere with --project DIR; it was not changed.`,
    file,
  );
}

function configure(db: Database.Database, file: string, synchronous: Synchronous): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
  if (mode !== 'wal') {
    // WAL needs shared memory beside the file; network file systems may refuse it.
    throw new ProjectFileError(
      `${file}: the file system refused write-ahead logging (journal mode stayed ${JSON.stringify(mode)}); keep the project on a local disk with --project DIR`,
      file,
    );
  }
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  // Registering 100,000 images touches three indexes at random places (keys are hashes): with
  // SQLite's default 2 MiB page cache that spills and takes ~3x longer. Pages are allocated on
  // demand up to this cap; ProjectStore.releaseMemory gives them back.
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  // A big import grows the WAL; cap what stays on disk after a checkpoint.
  db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
}

function describeSqliteError(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'SQLITE_NOTADB') {
    return 'the file is not a SQLite database (it may be damaged or something else entirely); it was not changed';
  }
  if (code === 'SQLITE_CORRUPT') {
    return 'the database is damaged (SQLITE_CORRUPT); restore it from a backup';
  }
  return `${(err as Error).message}${code ? ` (${code})` : ''}`;
}
