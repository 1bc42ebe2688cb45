import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  FIXED_HEADER_BYTES,
  MAX_INFO_BYTES,
  PAYLOAD_ALIGNMENT,
  decodeEntry,
  encodeEntryHeader,
  type DecodeResult,
} from './disk-entry-format.js';
import { CacheInputError } from './errors.js';

function entryFile(key: string, payload: Uint8Array, meta = {}): Uint8Array {
  const header = encodeEntryHeader(key, payload, meta);
  const file = new Uint8Array(header.byteLength + payload.byteLength);
  file.set(header, 0);
  file.set(payload, header.byteLength);
  return file;
}

function reasonOf(result: DecodeResult): string {
  return result.ok ? 'ok' : result.reason;
}

describe('disk entry format', () => {
  const payload = new Uint8Array(randomBytes(1000));
  const meta = { dtype: 'float32', shape: [1, 256, 64, 64], note: 'ünïcode ✓' };

  it('round-trips key, meta and payload', () => {
    const result = decodeEntry(entryFile('image/α.jpg', payload, meta));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.entry.key).toBe('image/α.jpg');
    expect(result.entry.meta).toEqual(meta);
    expect(new Uint8Array(result.entry.payload)).toEqual(payload);
  });

  it('aligns the payload so typed-array views need no copy', () => {
    for (const key of ['k', 'a much longer key '.repeat(20)]) {
      const header = encodeEntryHeader(key, payload, meta);
      expect(header.byteLength % PAYLOAD_ALIGNMENT).toBe(0);
    }
  });

  it('stores an empty payload', () => {
    const result = decodeEntry(entryFile('empty', new Uint8Array(0)));
    expect(result.ok && result.entry.payload.length).toBe(0);
  });

  it('names what is wrong with a damaged file', () => {
    const good = entryFile('key', payload, meta);
    const headerBytes = good.byteLength - payload.byteLength;
    const damaged = (offset: number) => {
      const copy = good.slice();
      copy[offset]! ^= 0xff;
      return copy;
    };

    expect(reasonOf(decodeEntry(good.subarray(0, 10)))).toMatch(/^truncated/);
    expect(reasonOf(decodeEntry(good.subarray(0, headerBytes - 1)))).toMatch(/^truncated/);
    expect(reasonOf(decodeEntry(good.subarray(0, good.byteLength - 1)))).toMatch(
      /^truncated: payload has 999 bytes, header says 1000/,
    );
    const longer = new Uint8Array(good.byteLength + 3);
    longer.set(good);
    expect(reasonOf(decodeEntry(longer))).toMatch(/^trailing bytes/);
    expect(reasonOf(decodeEntry(damaged(0)))).toMatch(/^bad magic/);
    expect(reasonOf(decodeEntry(damaged(4)))).toMatch(/^unsupported format version/);
    expect(reasonOf(decodeEntry(damaged(FIXED_HEADER_BYTES + 3)))).toBe('header checksum mismatch');
    expect(reasonOf(decodeEntry(damaged(14)))).toBe('header checksum mismatch');
    expect(reasonOf(decodeEntry(damaged(headerBytes + 500)))).toBe('payload checksum mismatch');
    expect(reasonOf(decodeEntry(new Uint8Array(randomBytes(5000))))).toMatch(/^bad magic/);
  });

  it('refuses metadata that JSON cannot carry faithfully, naming the key', () => {
    expect(() => encodeEntryHeader('k1', payload, { a: undefined as never })).toThrow(
      CacheInputError,
    );
    expect(() => encodeEntryHeader('k1', payload, { at: new Date(0) as never })).toThrow(
      /"k1".*plain JSON/,
    );
    expect(() => encodeEntryHeader('k1', payload, { x: Number.NaN })).toThrow(/"k1"/);
  });

  it('refuses a key and metadata larger than the header limit', () => {
    const big = { blob: 'x'.repeat(MAX_INFO_BYTES) };
    expect(() => encodeEntryHeader('k2', payload, big)).toThrow(/"k2".*more than the 65536/);
  });
});
