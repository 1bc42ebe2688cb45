import { describeValue } from '../geometry/errors.js';

/**
 * What kind of failure a store error is, so that the server can answer with the right status
 * without knowing every class: not-found 404, conflict 409, invalid 400, busy 503 (try again
 * later), project 500.
 */
export type StoreErrorKind = 'not-found' | 'conflict' | 'invalid' | 'busy' | 'project';

/** Every error the store throws on purpose: names the field and the value it refused. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly kind: StoreErrorKind,
    readonly field: string,
    readonly value?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** An id the project does not hold. */
abstract class UnknownIdError extends StoreError {
  constructor(what: string, id: unknown, field: string) {
    super(`No ${what} with id ${describeValue(id)} in the project`, 'not-found', field, id);
  }
}

export class UnknownImageIdError extends UnknownIdError {
  constructor(readonly imageId: unknown) {
    super('image', imageId, 'imageId');
    this.name = 'UnknownImageIdError';
  }
}

export class UnknownObjectError extends UnknownIdError {
  constructor(readonly objectId: unknown) {
    super('object', objectId, 'objectId');
    this.name = 'UnknownObjectError';
  }
}

export class UnknownClassError extends UnknownIdError {
  constructor(
    readonly classId: unknown,
    field = 'classId',
  ) {
    super('class', classId, field);
    this.name = 'UnknownClassError';
  }
}

export class DuplicateClassError extends StoreError {
  constructor(
    readonly className: string,
    readonly existing: { id: number; name: string },
  ) {
    super(
      `A class named ${JSON.stringify(existing.name)} (id ${existing.id}) already exists; class names are compared without regard to case, so ${JSON.stringify(className)} cannot be added`,
      'conflict',
      'name',
      className,
    );
    this.name = 'DuplicateClassError';
  }
}

/** A class that still has objects cannot be deleted without a class to move them to. */
export class ClassInUseError extends StoreError {
  constructor(
    readonly classId: number,
    readonly className: string,
    readonly objectCount: number,
  ) {
    super(
      `Class ${JSON.stringify(className)} (id ${classId}) has ${objectCount} object(s): give reassignTo (the id of the class that takes them over) to delete it`,
      'conflict',
      'reassignTo',
      undefined,
    );
    this.name = 'ClassInUseError';
  }
}

/** A mask whose RLE size is not the size of the image it belongs to. */
export class MaskSizeError extends StoreError {
  constructor(
    field: string,
    readonly maskSize: [height: number, width: number],
    readonly imageSize: [height: number, width: number],
    imageLabel: string,
  ) {
    super(
      `${field}: a ${maskSize[1]}x${maskSize[0]} mask (width x height) does not fit image ${imageLabel}, which is ${imageSize[1]}x${imageSize[0]}; masks are stored at the original image size`,
      'invalid',
      field,
      maskSize,
    );
    this.name = 'MaskSizeError';
  }
}

/** A value of the wrong shape or range (a colour, a status, a score, a class name, ...). */
export class InvalidValueError extends StoreError {
  constructor(message: string, field: string, value?: unknown, options?: { cause?: unknown }) {
    super(message, 'invalid', field, value, options);
    this.name = 'InvalidValueError';
  }
}

/** An imported image whose relative path is not registered in the project. */
export class ImportPathError extends StoreError {
  constructor(
    readonly path: string,
    field: string,
    format: string,
  ) {
    super(
      `The ${format} import names the image ${JSON.stringify(path)} (${field}) but the project has no image at that path; nothing was imported`,
      'invalid',
      field,
      path,
    );
    this.name = 'ImportPathError';
  }
}

/**
 * The project database cannot be used: not ours, from a newer version, damaged, or in a folder
 * that cannot be written. Names the file.
 */
export class ProjectFileError extends StoreError {
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, 'project', 'file', file, options);
    this.name = 'ProjectFileError';
  }
}

/** An undo or redo that no longer fits the objects in the database (changed behind our back). */
export class HistoryConflictError extends StoreError {
  constructor(
    message: string,
    readonly historyId: number,
  ) {
    super(message, 'conflict', 'history', historyId);
    this.name = 'HistoryConflictError';
  }
}

/**
 * A write that waited the whole busy timeout for the database's write lock: another program
 * (a CLI command beside the server, a second server, a database tool) kept a write
 * transaction open. Nothing was changed; trying again later can succeed.
 */
export class DatabaseBusyError extends StoreError {
  constructor(
    readonly file: string,
    readonly waitedMs: number,
    options?: { cause?: unknown },
  ) {
    super(
      `The project database ${file} is busy: another program holds it for writing (another sam-annotator command or server, or a database tool) and did not let go within ${waitedMs / 1000} s. Nothing was changed; try again when it has finished.`,
      'busy',
      'file',
      file,
      options,
    );
    this.name = 'DatabaseBusyError';
  }
}
