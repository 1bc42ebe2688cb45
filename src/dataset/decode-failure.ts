import { open } from 'node:fs/promises';
import { ImageDecodeError, type DecodeFailure } from './errors.js';

/**
 * Turns whatever sharp/libvips (or the file system) threw into an ImageDecodeError with a reason.
 * libvips reports failures as text, so this matches its wording; anything unrecognised is called
 * corrupt data rather than guessed at.
 */
export async function toDecodeError(err: unknown, file: string): Promise<ImageDecodeError> {
  if (err instanceof ImageDecodeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const detail = firstLine(message);
  const reason: DecodeFailure = code ? 'io' : reasonOf(message);
  if (reason === 'not-an-image') {
    const known = await knownUnsupportedFormat(file);
    if (known) {
      return new ImageDecodeError(file, 'unsupported', `${known}, which the decoder cannot read`, {
        cause: err,
      });
    }
  }
  return new ImageDecodeError(file, reason, detail, { cause: err });
}

/** libvips' words for a file whose leading bytes match none of its loaders. */
const UNKNOWN_FORMAT = /unsupported image format/i;

/** Whether sharp failed because it did not recognise the format at all (as for BMP). */
export function isUnknownFormatError(err: unknown): boolean {
  return err instanceof Error && UNKNOWN_FORMAT.test(err.message);
}

function reasonOf(message: string): DecodeFailure {
  if (/exceeds pixel limit/i.test(message)) return 'too-many-pixels';
  if (/input file is missing|permission denied|no such file|is a directory/i.test(message)) {
    return 'io';
  }
  // libjpeg: "premature end of JPEG image"; libpng: "libpng read error" / "Not enough image
  // data"; libtiff / libwebp / giflib word it as truncated or an unexpected end.
  if (
    /premature end|truncated|unexpected end|not enough|read error|end of (file|data)/i.test(message)
  )
    return 'truncated';
  if (UNKNOWN_FORMAT.test(message)) return 'not-an-image';
  if (/unsupported|not supported/i.test(message)) return 'unsupported';
  return 'corrupt';
}

/** libvips prefixes and repeats lines; the first line is the useful one. */
function firstLine(message: string): string {
  const line = (message.split('\n')[0] ?? '').replace(
    /^Input (file|buffer) has corrupt header: /,
    '',
  );
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

/**
 * Image formats libvips (as built for sharp) does not read, by their leading bytes. BMP is not
 * among them: it has a decoder of its own (bmp-decode.ts).
 */
const SIGNATURES: Array<{ name: string; test: (b: Buffer) => boolean }> = [
  { name: 'an ICO icon', test: (b) => b.readUInt32BE(0) === 0x00000100 },
  { name: 'a Photoshop document', test: (b) => b.toString('latin1', 0, 4) === '8BPS' },
  {
    name: 'a HEIF/AVIF image',
    test: (b) => b.toString('latin1', 4, 8) === 'ftyp',
  },
  {
    name: 'a JPEG XL image',
    test: (b) => b.readUInt16BE(0) === 0xff0a || b.toString('latin1', 4, 8) === 'JXL ',
  },
  { name: 'a JPEG 2000 image', test: (b) => b.toString('latin1', 4, 8) === 'jP  ' },
  { name: 'a QOI image', test: (b) => b.toString('latin1', 0, 4) === 'qoif' },
  { name: 'a netpbm image', test: (b) => /^P[1-7]\s/.test(b.toString('latin1', 0, 3)) },
];

/** Reads 16 bytes only on this error path: the index itself never reads file contents. */
async function knownUnsupportedFormat(file: string): Promise<string | undefined> {
  const bytes = new Uint8Array(16);
  let length = 0;
  try {
    const handle = await open(file, 'r');
    try {
      ({ bytesRead: length } = await handle.read(bytes, 0, bytes.length, 0));
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
  if (length < bytes.length) return undefined;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, length);
  return SIGNATURES.find((s) => s.test(head))?.name;
}
