import { describe, expect, it } from 'vitest';
import { ApiClient, queryString } from './client';
import { ApiRequestError } from './api-error';

/** Answers every request with one fixed response (the fault being injected). */
function answering(response: () => Response) {
  const seen: { url: string; init: RequestInit | undefined }[] = [];
  const fetchImpl = async (url: string, init?: RequestInit) => {
    seen.push({ url, init });
    return response();
  };
  return { seen, client: new ApiClient('http://host/app/', fetchImpl) };
}

describe('ApiClient', () => {
  it('shows the server ApiError message as it stands', async () => {
    const { client } = answering(
      () =>
        new Response(
          JSON.stringify({
            error: {
              code: 'bad_request',
              message: 'points[3].x must be >= 0',
              field: 'points[3].x',
            },
          }),
          { status: 400, headers: { 'content-type': 'application/json' } },
        ),
    );
    const error = await client.predict(7, { points: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect((error as ApiRequestError).message).toBe('points[3].x must be >= 0');
    expect((error as ApiRequestError).field).toBe('points[3].x');
    expect((error as ApiRequestError).status).toBe(400);
  });

  it('names the request when the body is not an ApiError', async () => {
    const { client } = answering(
      () => new Response('<html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    await expect(client.image(3)).rejects.toThrow(
      'GET /api/images/3 failed with HTTP 502 Bad Gateway',
    );
  });

  it('reports an unreachable server by request', async () => {
    const client = new ApiClient('http://host/', async () => {
      throw new TypeError('fetch failed');
    });
    await expect(client.session()).rejects.toThrow(
      'Cannot reach the server for GET /api/session: fetch failed',
    );
  });

  it('sends JSON to paths below the page folder', async () => {
    const { client, seen } = answering(
      () =>
        new Response('{"total":0}', {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
    );
    await client.listImages({ offset: 100, limit: 50, search: 'cat dog', status: undefined });
    await client.createObject(4, {
      classId: 1,
      rle: { size: [1, 1], counts: '01' },
      source: 'sam',
    });
    expect(seen[0]!.url).toBe('http://host/app/api/images?offset=100&limit=50&search=cat+dog');
    expect(seen[1]!.url).toBe('http://host/app/api/images/4/objects');
    expect(seen[1]!.init?.method).toBe('POST');
    expect(JSON.parse(String(seen[1]!.init?.body))).toMatchObject({ classId: 1, source: 'sam' });
    expect(client.resolveUrl('/api/images/4/display')).toBe('http://host/api/images/4/display');
  });

  it('builds query strings from defined fields only', () => {
    expect(queryString({})).toBe('');
    expect(queryString({ a: 0, b: '', c: undefined, d: 'x y' })).toBe('?a=0&d=x+y');
  });
});
