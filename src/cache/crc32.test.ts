import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { crc32, crc32Table } from './crc32.js';

describe('crc32', () => {
  it('matches the published check value of CRC-32/ISO-HDLC', () => {
    const check = new TextEncoder().encode('123456789');
    expect(crc32Table(check)).toBe(0xcbf43926);
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32Table(new Uint8Array(0))).toBe(0);
  });

  it('the table version agrees with the exported one, including when continued', () => {
    const data = new Uint8Array(randomBytes(100_003));
    const whole = crc32(data);
    expect(crc32Table(data)).toBe(whole);
    const head = data.subarray(0, 40_000);
    const tail = data.subarray(40_000);
    expect(crc32Table(tail, crc32Table(head))).toBe(whole);
    expect(crc32(tail, crc32(head))).toBe(whole);
  });

  it('changes when one bit flips', () => {
    const data = new Uint8Array(randomBytes(4096));
    const before = crc32(data);
    data[1234]! ^= 0x10;
    expect(crc32(data)).not.toBe(before);
  });
});
