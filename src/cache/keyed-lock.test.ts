import { describe, it, expect } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedLock } from './keyed-lock.js';

describe('KeyedLock', () => {
  it('runs tasks of one key one at a time, in call order, even when one fails', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`start ${name}`);
        await sleep(ms);
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      lock.run('k', task('a', 20)),
      lock.run('k', task('b', 1, true)),
      lock.run('k', task('c', 1)),
    ]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(lock.isBusy('k')).toBe(false);
  });

  it('lets different keys overlap', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    await Promise.all([
      lock.run('x', async () => {
        log.push('start x');
        await sleep(20);
        log.push('end x');
      }),
      lock.run('y', async () => {
        log.push('start y');
        await sleep(1);
        log.push('end y');
      }),
    ]);
    expect(log.indexOf('end y')).toBeLessThan(log.indexOf('end x'));
  });

  it('is busy from the call on, until the last queued task settles', async () => {
    const lock = new KeyedLock();
    expect(lock.isBusy('k')).toBe(false);
    const first = lock.run('k', () => sleep(5));
    const other = lock.run('other', () => sleep(1));
    expect(lock.isBusy('k')).toBe(true);
    expect(lock.busyKeys().sort()).toEqual(['k', 'other']);
    await Promise.all([first, other]);
    await sleep(0);
    expect(lock.isBusy('k')).toBe(false);
    expect(lock.busyKeys()).toEqual([]);
  });
});
