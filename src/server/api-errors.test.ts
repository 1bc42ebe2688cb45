import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, ImageListResponse } from './api-contract.js';
import { startTestServer, type TestServer } from './server-test-support.js';

let t: TestServer;
let imageId: number;

beforeAll(async () => {
  t = await startTestServer({
    photos: ['coffee.png'],
    server: { maxPoints: 4, bodyLimit: 64 * 1024 },
  });
  const list = (await t.server.app.inject({ url: '/api/images' })).json() as ImageListResponse;
  imageId = list.items[0]!.id;
}, 60_000);

afterAll(async () => {
  await t?.close();
});

function expectError(
  response: { statusCode: number; json(): unknown; headers: Record<string, unknown> },
  status: number,
  code: string,
  message?: RegExp,
): ApiError['error'] {
  expect(response.statusCode).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/application\/json/);
  const { error } = response.json() as ApiError;
  expect(error.code).toBe(code);
  if (message) expect(error.message).toMatch(message);
  return error;
}

describe('request validation', () => {
  it('answers bad JSON with 400 bad_json', async () => {
    const response = await t.server.app.inject({
      method: 'POST',
      url: `/api/images/${imageId}/predict`,
      headers: { 'content-type': 'application/json' },
      payload: '{"points": [',
    });
    expectError(response, 400, 'bad_request', /not valid JSON/);
  });

  it('refuses a body over the limit with 413', async () => {
    const response = await t.server.app.inject({
      method: 'POST',
      url: `/api/images/${imageId}/objects`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ classId: 1, rle: { size: [1, 1], counts: 'x'.repeat(100_000) } }),
    });
    expectError(response, 413, 'payload_too_large');
  });

  it('refuses other content types (no form posts from other sites)', async () => {
    const response = await t.server.app.inject({
      method: 'POST',
      url: `/api/images/${imageId}/predict`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'points=1',
    });
    expectError(response, 415, 'unsupported_media_type');
  });

  it('limits the number of points and names the field', async () => {
    const points = Array.from({ length: 5 }, (_, i) => ({ x: i, y: i, label: 1 }));
    const response = await t.server.app.inject({
      method: 'POST',
      url: `/api/images/${imageId}/predict`,
      payload: { points },
    });
    const error = expectError(response, 400, 'bad_request', /at most 4 points/);
    expect(error.field).toBe('body.points');
  });

  it('names a wrong field, an unknown field and a point off the image', async () => {
    const bad = await t.server.app.inject({
      method: 'POST',
      url: `/api/images/${imageId}/predict`,
      payload: { points: [{ x: 'a', y: 1, label: 1 }] },
    });
    expect(expectError(bad, 400, 'bad_request').field).toBe('body.points[0].x');
    const extra = await t.server.app.inject({
      method: 'POST',
      url: `/api/images/${imageId}/predict`,
      payload: { points: [{ x: 1, y: 1, label: 1 }], evil: true },
    });
    expectError(extra, 400, 'bad_request', /evil/);
    const outside = await t.server.app.inject({
      method: 'POST',
      url: `/api/images/${imageId}/predict`,
      payload: { points: [{ x: 601, y: 1, label: 1 }] },
    });
    expectError(outside, 400, 'bad_request', /outside the 600x400 image/);
    const empty = await t.server.app.inject({
      method: 'POST',
      url: `/api/images/${imageId}/predict`,
      payload: { points: [] },
    });
    expectError(empty, 400, 'bad_request', /at least one point or a box/);
  });

  it('refuses a mask whose size is not the image size', async () => {
    const response = await t.server.app.inject({
      method: 'POST',
      url: `/api/images/${imageId}/objects`,
      payload: { classId: 1, rle: { size: [10, 10], counts: 'PP0' }, source: 'manual' },
    });
    expect(response.statusCode).toBe(400);
  });
});

describe('ids and paths', () => {
  it('answers unknown ids with 404 and non-ids with 400', async () => {
    expectError(await t.server.app.inject({ url: '/api/images/999999' }), 404, 'not_found');
    // Twice: the predict path remembers the files of known ids, not the failures.
    for (let i = 0; i < 2; i++) {
      expectError(
        await t.server.app.inject({
          method: 'POST',
          url: '/api/images/999999/predict',
          payload: { points: [{ x: 1, y: 1, label: 1 }] },
        }),
        404,
        'not_found',
      );
    }
    expectError(
      await t.server.app.inject({ method: 'DELETE', url: '/api/objects/424242' }),
      404,
      'not_found',
    );
    expectError(
      await t.server.app.inject({
        method: 'PATCH',
        url: '/api/classes/777',
        payload: { name: 'x' },
      }),
      404,
      'not_found',
    );
    expectError(await t.server.app.inject({ url: '/api/exports/nope' }), 404, 'not_found');
    expectError(await t.server.app.inject({ url: '/api/images/abc' }), 400, 'bad_request');
    expectError(await t.server.app.inject({ url: '/api/images/1e3' }), 400, 'bad_request');
  });

  it('never serves files outside the dataset (path traversal)', async () => {
    for (const url of [
      '/api/images/..%2F..%2F..%2Fetc%2Fpasswd/display',
      '/api/images/%2e%2e/display',
      '/../../../../etc/passwd',
      '/api/images/position?path=../../etc/passwd',
      `/api/images/${imageId}/tiles/0/0/..%2F..`,
    ]) {
      const response = await t.server.app.inject({ url });
      expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, url).toBeLessThan(500);
      expect(response.body, url).not.toMatch(/root:/);
    }
  });

  it('refuses Host names other than loopback when no token is set (DNS rebinding)', async () => {
    const response = await t.server.app.inject({
      url: '/api/session',
      headers: { host: 'evil.example:7860' },
    });
    expectError(response, 403, 'forbidden_host');
  });
});

describe('token', () => {
  let secured: TestServer;

  beforeAll(async () => {
    secured = await startTestServer({
      photos: ['coffee.png'],
      server: { host: '0.0.0.0', token: 's3cret-token' },
    });
  }, 60_000);

  afterAll(async () => {
    await secured?.close();
  });

  it('will not bind beyond loopback without a token', async () => {
    const { buildServer } = await import('./app.js');
    await expect(
      buildServer(secured.session.deps, { host: '0.0.0.0', token: null }),
    ).rejects.toThrow(/needs --token/);
  });

  it('checks the token on every request, events included', async () => {
    const app = secured.server.app;
    for (const url of ['/api/session', '/api/images', '/api/events', '/metrics', '/healthz', '/']) {
      expectError(await app.inject({ url }), 401, 'unauthorized', /requires a token/);
      expectError(
        await app.inject({ url, headers: { authorization: 'Bearer wrong' } }),
        401,
        'unauthorized',
        /not correct/,
      );
    }
    const ok = await app.inject({
      url: '/api/session',
      headers: { authorization: 'Bearer s3cret-token' },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('turns ?token= into a cookie that later requests and EventSource use', async () => {
    const app = secured.server.app;
    const first = await app.inject({ url: '/api/session?token=s3cret-token' });
    expect(first.statusCode).toBe(200);
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(/sam_token=.*HttpOnly; SameSite=Strict/);
    const later = await app.inject({
      url: '/api/images',
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(later.statusCode).toBe(200);
    const wrongCookie = await app.inject({
      url: '/api/images',
      headers: { cookie: 'sam_token=nope' },
    });
    expect(wrongCookie.statusCode).toBe(401);
  });

  it('streams events to an authorised client over real HTTP', async () => {
    const app = secured.server.app;
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/api/events',
          headers: { cookie: 'sam_token=s3cret-token' },
        },
        (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.headers['content-type']).toMatch(/text\/event-stream/);
          let body = '';
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString();
            if (body.includes('event: memory') && body.includes('event: cache')) {
              req.destroy();
              resolve(body);
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    const memoryLine = text.split('\n').find((line, i, all) => all[i - 1] === 'event: memory');
    const memory = JSON.parse(memoryLine!.slice('data: '.length)) as {
      level: string;
      budgetBytes: number;
    };
    expect(['normal', 'warning', 'critical']).toContain(memory.level);
    expect(memory.budgetBytes).toBeGreaterThan(0);
  });
});
