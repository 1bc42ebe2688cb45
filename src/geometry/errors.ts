/** Bad input to a geometry function: names the argument and the value that was refused. */
export class GeometryError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly value?: unknown,
  ) {
    super(message);
    this.name = 'GeometryError';
  }
}

/** A COCO RLE that cannot be read or does not describe its declared size. */
export class RleError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly value?: unknown,
  ) {
    super(message);
    this.name = 'RleError';
  }
}

/** Short printable form of a value for error messages (long strings and arrays are cut). */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
