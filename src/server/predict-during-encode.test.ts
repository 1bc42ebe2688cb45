/**
 * A click is answered while the server encodes another picture: the encoder runs in a worker
 * thread, so neither the event loop nor the engine's queue makes the click wait for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectsScene } from '../../tools/test-models/test-support.js';
import { openTestPair } from '../model/sam/sam-test-support.js';
import { nextWorkerRun } from '../model/sam/worker/worker-test-support.js';
import type { ImageListResponse, PredictResponse } from './api-contract.js';
import { startDatasetServer, type TestServer } from './server-test-support.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

let t: TestServer;
let datasetDir: string;
const clicks: { x: number; y: number }[] = [];

beforeAll(async () => {
  datasetDir = mkdtempSync(path.join(os.tmpdir(), 'sam-server-encode-'));
  for (const [i, width] of [1200, 1400].entries()) {
    const scene = objectsScene(width, 900);
    const raw = { width: scene.width, height: scene.height, channels: 3 as const };
    await sharp(scene.rgb, { raw })
      .jpeg()
      .toFile(path.join(datasetDir, `scene-${i}.jpg`));
    const [x, y] = scene.inside.blue;
    clicks.push({ x, y });
  }
  // The heavy encoder (~40 GFLOPs, tenths of a second per picture) and the C=1 decoder.
  const segmenter = await openTestPair('encoderA2Heavy', 'decoderSingle');
  t = await startDatasetServer(datasetDir, { segmenter });
}, 120_000);

afterAll(async () => {
  await t?.close();
  rmSync(datasetDir, { recursive: true, force: true });
});

function predict(id: number, click: { x: number; y: number }) {
  return t.server.app.inject({
    method: 'POST',
    url: `/api/images/${id}/predict`,
    payload: { points: [{ ...click, label: 1 }] },
  });
}

describe('a click during an encode', () => {
  it('is answered before the encode of another picture ends', async () => {
    const list = (await t.server.app.inject('/api/images')).json() as ImageListResponse;
    const [first, second] = list.items.map((item) => item.id);
    // The first picture's embedding is ready: its first click waited for the encode.
    expect((await predict(first!, clicks[0]!)).statusCode).toBe(200);

    const started = nextWorkerRun();
    const order: string[] = [];
    // Opening the second picture starts its encode; its own click waits for it.
    expect((await t.server.app.inject(`/api/images/${second}`)).statusCode).toBe(200);
    const waiting = predict(second!, clicks[1]!).then((response) => {
      order.push('click on the picture being encoded');
      return response;
    });
    await started;
    const answered = predict(first!, { x: clicks[0]!.x + 3, y: clicks[0]!.y }).then((response) => {
      order.push('click on the encoded picture');
      return response;
    });
    const [late, early] = await Promise.all([waiting, answered]);
    expect(early.statusCode).toBe(200);
    expect(late.statusCode).toBe(200);
    expect((early.json() as PredictResponse).candidates.length).toBeGreaterThan(0);
    expect(order).toEqual(['click on the encoded picture', 'click on the picture being encoded']);
  });
});
