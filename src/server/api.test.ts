import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRle } from '../geometry/index.js';
import type {
  ChangeResponse,
  ClassDto,
  ExportJob,
  ImageDetail,
  ImageListResponse,
  PredictResponse,
  SessionInfo,
  StatsDto,
} from './api-contract.js';
import { startTestServer, type TestServer } from './server-test-support.js';

let t: TestServer;

function inject(
  method: string,
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) {
  return t.server.app.inject({
    method: method as 'GET',
    url,
    ...(payload === undefined ? {} : { payload: payload as object }),
    headers,
  });
}

async function json<T>(method: string, url: string, payload?: unknown, status = 200): Promise<T> {
  const response = await inject(method, url, payload);
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(status);
  return response.json() as T;
}

async function imageByPath(path: string): Promise<ImageDetail> {
  const list = await json<ImageListResponse>(
    'GET',
    `/api/images?search=${encodeURIComponent(path)}`,
  );
  return json<ImageDetail>('GET', `/api/images/${list.items[0]!.id}`);
}

beforeAll(async () => {
  t = await startTestServer();
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('session, list and pictures', () => {
  it('describes the dataset, the model and the limits', async () => {
    const session = await json<SessionInfo>('GET', '/api/session');
    expect(session.dataset.imageCount).toBe(3);
    expect(session.model.kind).toBe('default');
    expect(session.model.notice).toMatch(/built-in weight-free segmenter/);
    expect(session.limits.maxPoints).toBeGreaterThan(0);
    expect(session.memory.warningThreshold).toBe(0.85);
  });

  it('lists images with paging, status counts and a path search', async () => {
    const all = await json<ImageListResponse>('GET', '/api/images');
    expect(all.total).toBe(3);
    expect(all.items.map((i) => i.path).sort()).toEqual([
      'chelsea.png',
      'coffee.png',
      'more/rocket.jpg',
    ]);
    expect(all.statusCounts.new).toBe(3);
    const page = await json<ImageListResponse>('GET', '/api/images?offset=1&limit=1');
    expect(page.items).toHaveLength(1);
    expect(page.total).toBe(3);
    const found = await json<ImageListResponse>('GET', '/api/images?search=rock');
    expect(found.items.map((i) => i.path)).toEqual(['more/rocket.jpg']);
  });

  it('opens an image with its size, neighbours and picture URLs', async () => {
    const detail = await imageByPath('coffee.png');
    expect([detail.width, detail.height]).toEqual([600, 400]);
    expect(detail.objects).toEqual([]);
    expect(detail.tiles).toBeNull();
    expect(detail.previousId === null || typeof detail.previousId === 'number').toBe(true);
    const picture = await inject('GET', detail.display.url);
    expect(picture.statusCode).toBe(200);
    expect(picture.headers['content-type']).toMatch(/^image\//);
    expect(picture.headers['cache-control']).toMatch(/immutable/);
    const again = await inject('GET', detail.display.url, undefined, {
      'if-none-match': String(picture.headers.etag),
    });
    expect(again.statusCode).toBe(304);
    const thumb = await inject('GET', detail.thumbnailUrl);
    expect(thumb.statusCode).toBe(200);
    const tile = await inject('GET', `/api/images/${detail.id}/tiles/0/0/0`);
    expect(tile.statusCode).toBe(404);
    expect(tile.json().error.message).toMatch(/no tiles/);
  });

  it('finds an image position by path and by index', async () => {
    const detail = await imageByPath('rocket');
    const byPath = await json<{ index: number; id: number }>(
      'GET',
      `/api/images/position?path=${encodeURIComponent('more/rocket.jpg')}`,
    );
    expect(byPath.id).toBe(detail.id);
    const byIndex = await json<{ index: number; id: number }>(
      'GET',
      `/api/images/position?index=${byPath.index}`,
    );
    expect(byIndex.id).toBe(detail.id);
  });
});

describe('annotating an object end to end', () => {
  it('predicts, accepts, changes class, undoes and redoes', async () => {
    const detail = await imageByPath('coffee.png');
    const classes = await json<ClassDto[]>('GET', '/api/classes');
    const cup = classes.find((c) => c.name === 'coffee cup')!;
    const predicted = await json<PredictResponse>('POST', `/api/images/${detail.id}/predict`, {
      points: [{ x: 300, y: 180, label: 1 }],
    });
    expect(predicted.candidates.length).toBeGreaterThan(0);
    const best = predicted.candidates[0]!;
    expect(best.rle.size).toEqual([400, 600]);
    const mask = decodeRle(best.rle);
    expect(mask.data[180 * 600 + 300]).toBe(1);
    expect(best.area).toBeGreaterThan(1000);

    const created = await json<ChangeResponse>(
      'POST',
      `/api/images/${detail.id}/objects`,
      {
        classId: cup.id,
        rle: best.rle,
        score: best.predictedIou,
        source: 'default',
        prompts: { points: [{ x: 300, y: 180, label: 1 }] },
      },
      201,
    );
    expect(created.objects).toHaveLength(1);
    expect(created.objects[0]!.area).toBe(best.area);
    expect(created.history).toEqual({ undoCount: 1, redoCount: 0 });
    expect(created.status).toBe('in_progress');
    const objectId = created.objectId!;

    const other = classes.find((c) => c.name === 'cat')!;
    const changed = await json<ChangeResponse>('PATCH', `/api/objects/${objectId}`, {
      classId: other.id,
    });
    expect(changed.objects[0]!.classId).toBe(other.id);

    const undone = await json<ChangeResponse>('POST', `/api/images/${detail.id}/undo`);
    expect(undone.objects[0]!.classId).toBe(cup.id);
    const redone = await json<ChangeResponse>('POST', `/api/images/${detail.id}/redo`);
    expect(redone.objects[0]!.classId).toBe(other.id);

    const reopened = await json<ImageDetail>('GET', `/api/images/${detail.id}`);
    expect(reopened.objects.map((o) => o.id)).toEqual([objectId]);
    expect(reopened.history.undoCount).toBe(2);

    const cleared = await json<ChangeResponse>('DELETE', `/api/images/${detail.id}/objects`);
    expect(cleared.objects).toEqual([]);
    const restored = await json<ChangeResponse>('POST', `/api/images/${detail.id}/undo`);
    expect(restored.objects.map((o) => o.id)).toEqual([objectId]);
    const deleted = await json<ChangeResponse>('DELETE', `/api/objects/${objectId}`);
    expect(deleted.objects).toEqual([]);
  });

  it('refines a candidate with its token and refuses a token of another image', async () => {
    const coffee = await imageByPath('coffee.png');
    const cat = await imageByPath('chelsea.png');
    const first = await json<PredictResponse>('POST', `/api/images/${coffee.id}/predict`, {
      points: [{ x: 300, y: 180, label: 1 }],
    });
    const token = first.candidates.find((c) => c.refineToken)?.refineToken;
    if (token) {
      const refined = await json<PredictResponse>('POST', `/api/images/${coffee.id}/predict`, {
        points: [
          { x: 300, y: 180, label: 1 },
          { x: 50, y: 50, label: 0 },
        ],
        refineToken: token,
      });
      expect(refined.candidates.length).toBeGreaterThan(0);
      const wrong = await inject('POST', `/api/images/${cat.id}/predict`, {
        points: [{ x: 10, y: 10, label: 1 }],
        refineToken: token,
      });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().error.field).toBe('body.refineToken');
    }
    const unknown = await inject('POST', `/api/images/${coffee.id}/predict`, {
      points: [{ x: 10, y: 10, label: 1 }],
      refineToken: 'nope',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toMatch(/unknown or expired/);
  });

  it('shows an overlap warning on both objects of the pair', async () => {
    const detail = await imageByPath('chelsea.png');
    const classes = await json<ClassDto[]>('GET', '/api/classes');
    const rle = (
      await json<PredictResponse>('POST', `/api/images/${detail.id}/predict`, {
        points: [{ x: 220, y: 150, label: 1 }],
      })
    ).candidates[0]!.rle;
    for (let i = 0; i < 2; i++) {
      await json(
        'POST',
        `/api/images/${detail.id}/objects`,
        { classId: classes[0]!.id, rle, source: 'default' },
        201,
      );
    }
    const reopened = await json<ImageDetail>('GET', `/api/images/${detail.id}`);
    const [a, b] = reopened.objects;
    expect(a!.warnings.find((w) => w.kind === 'overlap')?.otherObjectId).toBe(b!.id);
    expect(b!.warnings.find((w) => w.kind === 'overlap')?.otherObjectId).toBe(a!.id);
    await json('DELETE', `/api/images/${detail.id}/objects`);
  });

  it('sets the image status and filters the list by it', async () => {
    const detail = await imageByPath('chelsea.png');
    await json('PUT', `/api/images/${detail.id}/status`, { status: 'done', note: 'checked' });
    const done = await json<ImageListResponse>('GET', '/api/images?status=done');
    expect(done.items.map((i) => i.id)).toEqual([detail.id]);
    expect(done.statusCounts.done).toBe(1);
  });
});

describe('classes, stats, export, metrics', () => {
  it('adds, renames, recolours and deletes classes; a used class needs reassignTo', async () => {
    let classes = await json<ClassDto[]>(
      'POST',
      '/api/classes',
      { name: 'mug', color: '#123456' },
      201,
    );
    const mug = classes.find((c) => c.name === 'mug')!;
    expect(mug.color).toBe('#123456');
    classes = await json<ClassDto[]>('PATCH', `/api/classes/${mug.id}`, { name: 'big mug' });
    expect(classes.some((c) => c.name === 'big mug')).toBe(true);
    const duplicate = await inject('POST', '/api/classes', { name: 'BIG MUG' });
    expect(duplicate.statusCode).toBe(409);

    const detail = await imageByPath('rocket');
    const predicted = await json<PredictResponse>('POST', `/api/images/${detail.id}/predict`, {
      box: { x0: 250, y0: 50, x1: 400, y1: 400 },
    });
    await json(
      'POST',
      `/api/images/${detail.id}/objects`,
      { classId: mug.id, rle: predicted.candidates[0]!.rle, source: 'default' },
      201,
    );
    const refused = await inject('DELETE', `/api/classes/${mug.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/reassignTo/);
    const rocket = classes.find((c) => c.name === 'rocket')!;
    classes = await json<ClassDto[]>('DELETE', `/api/classes/${mug.id}?reassignTo=${rocket.id}`);
    expect(classes.find((c) => c.id === rocket.id)!.objectCount).toBeGreaterThan(0);
  });

  it('gives statistics', async () => {
    const stats = await json<StatsDto>('GET', '/api/stats');
    expect(stats.totals.images).toBe(3);
    expect(stats.totals.objects).toBeGreaterThan(0);
    expect(stats.imagesByStatus.done).toBe(1);
  });

  it('exports COCO as a job and offers the file', async () => {
    const job = await json<ExportJob>('POST', '/api/exports', { format: 'coco' }, 202);
    await t.server.context.exports.whenIdle();
    const done = await json<ExportJob>('GET', `/api/exports/${job.id}`);
    expect(done.state, done.error ?? '').toBe('done');
    expect(done.outputPath && existsSync(done.outputPath)).toBe(true);
    const file = await inject('GET', done.downloadUrl!);
    expect(file.statusCode).toBe(200);
    const coco = JSON.parse(file.body) as { images: unknown[]; annotations: unknown[] };
    expect(coco.images).toHaveLength(3);
    expect(coco.annotations.length).toBeGreaterThan(0);
    const onDisk = readFileSync(`${done.outputPath}/annotations/instances_default.json`, 'utf8');
    expect(JSON.parse(onDisk)).toEqual(coco);
  });

  it('serves Prometheus metrics and health', async () => {
    const metrics = await inject('GET', '/metrics');
    expect(metrics.statusCode).toBe(200);
    for (const name of [
      'sam_memory_usage_ratio',
      'sam_cache_hits_total',
      'sam_cache_bytes{cache="embeddings"',
      'sam_http_request_duration_seconds_bucket',
      'sam_predict_duration_seconds_count',
      'sam_queue_depth',
    ]) {
      expect(metrics.body).toContain(name);
    }
    const health = await json<{ ok: boolean }>('GET', '/healthz');
    expect(health.ok).toBe(true);
  });
});
