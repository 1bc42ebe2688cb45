/**
 * Reading import files: size limits, UTF-8 checked to the byte, errors that name the file.
 * Importers only ever read; nothing here writes.
 */
import { isUtf8 } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import { ImportError } from './errors.js';

/** Default cap for whole-file text inputs (label files, XML, class lists): 64 MiB. */
export const MAX_TEXT_BYTES = 64 * 1024 * 1024;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The bytes of a regular file of at most `maxBytes`; `why` says where the limit comes from. */
export async function readInputBytes(file: string, maxBytes: number, why = ''): Promise<Buffer> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) {
      throw new ImportError({ file }, 'a file', info.isDirectory() ? 'a folder' : 'not a file');
    }
    size = info.size;
  } catch (err) {
    if (err instanceof ImportError) throw err;
    throw new ImportError({ file }, 'a readable file', ioReason(err), { cause: err });
  }
  if (size > maxBytes) {
    throw new ImportError(
      { file },
      `a file of at most ${formatBytes(maxBytes)}${why ? ` (${why})` : ''}`,
      formatBytes(size),
    );
  }
  try {
    return await readFile(file);
  } catch (err) {
    throw new ImportError({ file }, 'a readable file', ioReason(err), { cause: err });
  }
}

/** The file as text: valid UTF-8 (a leading byte-order mark is dropped). */
export async function readInputText(
  file: string,
  maxBytes = MAX_TEXT_BYTES,
  why = '',
): Promise<string> {
  return decodeUtf8(await readInputBytes(file, maxBytes, why), file);
}

export function decodeUtf8(bytes: Uint8Array, file: string): string {
  if (!isUtf8(bytes)) {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
    throw new ImportError(
      { file, line },
      'UTF-8 text',
      `byte 0x${bytes[offset]!.toString(16).padStart(2, '0')} at offset ${offset} that is not valid UTF-8`,
    );
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Lines without their terminators (LF or CRLF); a final newline does not make an empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
  }
  return lines;
}

/** Offset of the first byte that breaks UTF-8 (called only when isUtf8 said there is one). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}

function ioReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'a folder';
  return err instanceof Error ? err.message : String(err);
}
