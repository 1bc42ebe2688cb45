/**
 * An export that cannot be written as asked: a bad option, data the format cannot hold, or a
 * destination that is in the way. The message names the option, image or object, and what to
 * do; `field` is the option or data path (`options.splits`, `images[cats/1.jpg].objects[17]`).
 * Nothing is left at the destination when an export throws.
 */
export class ExportError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly value?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExportError';
  }
}

/** Data path of an object, for messages and ExportError.field. */
export function objectField(imagePath: string, objectId: number): string {
  return `images[${imagePath}].objects[${objectId}]`;
}
