import { isDeepStrictEqual } from 'node:util';
import { crc32 } from './crc32.js';
import { CacheInputError } from './errors.js';

/**
 * The file format of one disk cache entry:
 *
 *   offset size
 *   0      4    magic "SAMC"
 *   4      2    format version (u16 LE)
 *   6      2    flags, 0 (u16 LE)
 *   8      4    info length in bytes (u32 LE)
 *   12     8    payload length in bytes (u64 LE)
 *   20     4    CRC-32 of the payload (u32 LE)
 *   24     4    CRC-32 of bytes 0..24 and the info (u32 LE)
 *   28     n    info: UTF-8 JSON {"key": ..., "meta": {...}}, space-padded
 *   28+n   ...  payload
 *
 * The info is padded so the payload starts at a multiple of PAYLOAD_ALIGNMENT: read into a fresh
 * buffer, the payload can be viewed as a Float32Array (or Float64Array) without a copy.
 */

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const ENTRY_MAGIC = 'SAMC';
export const ENTRY_FORMAT_VERSION = 1;
export const FIXED_HEADER_BYTES = 28;
export const PAYLOAD_ALIGNMENT = 64;
/** Key plus metadata; metadata is meant for small descriptions (dtype, shape), not data. */
export const MAX_INFO_BYTES = 64 * 1024;

export interface DecodedEntry {
  key: string;
  meta: JsonObject;
  /** A view into the decoded file, not a copy. */
  payload: Buffer;
}

export type DecodeResult = { ok: true; entry: DecodedEntry } | { ok: false; reason: string };

/** The bytes that precede the payload in the file of `key`. */
export function encodeEntryHeader(key: string, payload: Uint8Array, meta: JsonObject): Uint8Array {
  const json = JSON.stringify({ key, meta });
  if (!isDeepStrictEqual(JSON.parse(json), { key, meta })) {
    throw new CacheInputError(
      `disk cache entry "${key}": meta must be plain JSON (no undefined, NaN, Infinity, dates or class instances), got ${json}`,
    );
  }
  const unpadded = FIXED_HEADER_BYTES + Buffer.byteLength(json, 'utf8');
  const headerBytes = Math.ceil(unpadded / PAYLOAD_ALIGNMENT) * PAYLOAD_ALIGNMENT;
  const infoBytes = headerBytes - FIXED_HEADER_BYTES;
  if (infoBytes > MAX_INFO_BYTES) {
    throw new CacheInputError(
      `disk cache entry "${key}": key and meta take ${infoBytes} bytes, more than the ${MAX_INFO_BYTES} allowed`,
    );
  }
  const header = Buffer.alloc(headerBytes, 0x20); // spaces: JSON.parse ignores trailing ones
  header.write(ENTRY_MAGIC, 0, 'ascii');
  header.writeUInt16LE(ENTRY_FORMAT_VERSION, 4);
  header.writeUInt16LE(0, 6);
  header.writeUInt32LE(infoBytes, 8);
  header.writeBigUInt64LE(BigInt(payload.byteLength), 12);
  header.writeUInt32LE(crc32(payload), 20);
  header.write(json, FIXED_HEADER_BYTES, 'utf8');
  const bytes = bytesOf(header);
  header.writeUInt32LE(headerChecksum(bytes, infoBytes), 24);
  return bytes;
}

/**
 * Checks a whole entry file. Every way a file can be damaged (cut short, overwritten, a stray
 * file under an entry name) yields a reason instead of an exception.
 */
export function decodeEntry(bytes: Uint8Array): DecodeResult {
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (file.length < FIXED_HEADER_BYTES) {
    return fail(
      `truncated: ${file.length} bytes, shorter than the ${FIXED_HEADER_BYTES}-byte header`,
    );
  }
  const magic = file.toString('latin1', 0, 4);
  if (magic !== ENTRY_MAGIC) return fail(`bad magic ${JSON.stringify(magic)}`);
  const version = file.readUInt16LE(4);
  if (version !== ENTRY_FORMAT_VERSION) return fail(`unsupported format version ${version}`);
  const infoBytes = file.readUInt32LE(8);
  if (infoBytes > MAX_INFO_BYTES) return fail(`info length ${infoBytes} is out of range`);
  if (file.length < FIXED_HEADER_BYTES + infoBytes) {
    return fail(
      `truncated: ${file.length} bytes, header alone needs ${FIXED_HEADER_BYTES + infoBytes}`,
    );
  }
  if (file.readUInt32LE(24) !== headerChecksum(bytes, infoBytes)) {
    return fail('header checksum mismatch');
  }
  const info = parseInfo(file.toString('utf8', FIXED_HEADER_BYTES, FIXED_HEADER_BYTES + infoBytes));
  if (!info) return fail('unreadable key/meta header');
  const payloadBytes = file.readBigUInt64LE(12);
  const payloadStart = FIXED_HEADER_BYTES + infoBytes;
  const actualBytes = BigInt(file.length - payloadStart);
  if (actualBytes !== payloadBytes) {
    const state = actualBytes < payloadBytes ? 'truncated' : 'trailing bytes';
    return fail(`${state}: payload has ${actualBytes} bytes, header says ${payloadBytes}`);
  }
  const payload = file.subarray(payloadStart);
  if (crc32(bytes.subarray(payloadStart)) !== file.readUInt32LE(20)) {
    return fail('payload checksum mismatch');
  }
  return { ok: true, entry: { key: info.key, meta: info.meta, payload } };
}

/**
 * The same memory as a plain Uint8Array. The pinned @types/node (20.9) predates TypeScript 5.7's
 * generic typed arrays, so a Buffer does not type-check where a Uint8Array is expected.
 */
export function bytesOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function headerChecksum(header: Uint8Array, infoBytes: number): number {
  const fixed = crc32(header.subarray(0, 24));
  return crc32(header.subarray(FIXED_HEADER_BYTES, FIXED_HEADER_BYTES + infoBytes), fixed);
}

function parseInfo(text: string): { key: string; meta: JsonObject } | undefined {
  let info: unknown;
  try {
    info = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof info !== 'object' || info === null) return undefined;
  const { key, meta } = info as { key?: unknown; meta?: unknown };
  if (typeof key !== 'string' || !isJsonObject(meta)) return undefined;
  return { key, meta };
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(reason: string): DecodeResult {
  return { ok: false, reason };
}
