import { describe, expect, it } from 'vitest';
import type { ChangeResponse } from '../api/types';
import { HistoryClient } from './history-client';
import { SerialQueue } from './serial-queue';

/** A server with `undoable` steps whose answers the test releases one by one. */
function server(undoable: number) {
  let undoCount = undoable;
  let redoCount = 0;
  const pending: (() => void)[] = [];
  const answer = (): ChangeResponse => ({
    imageId: 1,
    objects: [],
    history: { undoCount, redoCount },
    status: 'in_progress',
    objectId: null,
  });
  const api = {
    sent: [] as string[],
    undo: () =>
      new Promise<ChangeResponse>((resolve) => {
        api.sent.push('undo');
        pending.push(() => {
          undoCount--;
          redoCount++;
          resolve(answer());
        });
      }),
    redo: () =>
      new Promise<ChangeResponse>((resolve) => {
        api.sent.push('redo');
        pending.push(() => {
          undoCount++;
          redoCount--;
          resolve(answer());
        });
      }),
  };
  const tick = () => new Promise((r) => setTimeout(r, 0));
  /** Answers requests one by one as the queue sends them, until none comes. */
  const flush = async () => {
    await tick();
    while (pending.length > 0) {
      pending.shift()!();
      await tick();
    }
  };
  return { api, flush, tick };
}

describe('HistoryClient', () => {
  it('never asks for more undos than exist, even when z is pressed faster than answers come', async () => {
    const { api, flush } = server(2);
    const applied: number[] = [];
    const history = new HistoryClient(api, new SerialQueue(), (c) =>
      applied.push(c.history.undoCount),
    );
    history.reset({ undoCount: 2, redoCount: 0 });
    const results = [history.undo(1), history.undo(1), history.undo(1)];
    expect(history.canUndo).toBe(false);
    expect(history.canRedo).toBe(true);
    await flush();
    expect(await Promise.all(results)).toEqual([
      expect.objectContaining({ history: { undoCount: 1, redoCount: 1 } }),
      expect.objectContaining({ history: { undoCount: 0, redoCount: 2 } }),
      null,
    ]);
    expect(api.sent).toEqual(['undo', 'undo']);
    expect(applied).toEqual([1, 0]);
    expect(history.state).toEqual({ undoCount: 0, redoCount: 2 });
  });

  it('runs undo and redo in the order pressed, one at a time', async () => {
    const { api, flush, tick } = server(1);
    const history = new HistoryClient(api, new SerialQueue(), () => {});
    history.reset({ undoCount: 1, redoCount: 0 });
    void history.undo(1);
    void history.redo(1);
    await tick();
    // The redo is not sent before the undo is answered.
    expect(api.sent).toEqual(['undo']);
    await flush();
    expect(api.sent).toEqual(['undo', 'redo']);
    expect(history.state).toEqual({ undoCount: 1, redoCount: 0 });
  });

  it('a failed undo gives its step back', async () => {
    const api = {
      undo: () => Promise.reject(new Error('Nothing to undo on the server')),
      redo: () => Promise.reject(new Error('unused')),
    };
    const history = new HistoryClient(api, new SerialQueue(), () => {});
    history.reset({ undoCount: 1, redoCount: 0 });
    await expect(history.undo(1)).rejects.toThrow('Nothing to undo on the server');
    expect(history.canUndo).toBe(true);
  });
});
