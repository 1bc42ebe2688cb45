import { describe, expect, it } from 'vitest';
import { BackgroundGate } from './background-gate.js';
import { MemoryPressureError } from './errors.js';

/** Settles pending promise callbacks. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function track(promise: Promise<void>): { state: () => string } {
  let state = 'pending';
  promise.then(
    () => (state = 'resolved'),
    (err: Error) => (state = `rejected: ${err.name}`),
  );
  return { state: () => state };
}

describe('BackgroundGate', () => {
  it('is open at normal and lets work start at once', async () => {
    const gate = new BackgroundGate();
    expect(gate.isOpen).toBe(true);
    expect(() => gate.assertOpen()).not.toThrow();
    await expect(gate.whenOpen()).resolves.toBeUndefined();
  });

  it('parks work while paused (warning) and releases it when the level returns to normal', async () => {
    const gate = new BackgroundGate();
    gate.update('warning', 0.87);
    expect(gate.state).toBe('paused');
    expect(gate.isOpen).toBe(false);
    const waiter = track(gate.whenOpen());
    await settle();
    expect(waiter.state()).toBe('pending');
    expect(gate.waiting).toBe(1);
    gate.update('warning', 0.84);
    await settle();
    expect(waiter.state()).toBe('pending');
    gate.update('normal', 0.7);
    await settle();
    expect(waiter.state()).toBe('resolved');
    expect(gate.waiting).toBe(0);
  });

  it('refuses with a MemoryPressureError naming the level and usage', () => {
    const gate = new BackgroundGate();
    gate.update('critical', 0.963);
    expect(gate.state).toBe('refusing');
    let error: unknown;
    try {
      gate.assertOpen();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MemoryPressureError);
    expect(error).toMatchObject({ level: 'critical', usage: 0.963 });
    expect((error as Error).message).toMatch(/96\.3%.*critical/);
  });

  it('drops parked work when the level escalates to critical', async () => {
    const gate = new BackgroundGate();
    gate.update('warning', 0.9);
    const waiter = track(gate.whenOpen());
    gate.update('critical', 0.97);
    await settle();
    expect(waiter.state()).toBe('rejected: MemoryPressureError');
    await expect(gate.whenOpen()).rejects.toMatchObject({ level: 'critical', usage: 0.97 });
  });

  it('lets a caller stop waiting through an AbortSignal', async () => {
    const gate = new BackgroundGate();
    gate.update('warning', 0.9);
    const controller = new AbortController();
    const waiting = gate.whenOpen(controller.signal);
    controller.abort(new Error('image closed'));
    await expect(waiting).rejects.toThrow('image closed');
    expect(gate.waiting).toBe(0);
  });
});
