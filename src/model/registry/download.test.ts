import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadFile } from './download.js';
import {
  DownloadAbortedError,
  DownloadError,
  HttpStatusError,
  RedirectError,
  TruncatedDownloadError,
} from './errors.js';
import {
  fakeOnnx,
  redirectTo,
  serveBytes,
  serveStalled,
  serveStatus,
  serveTruncated,
  sha256Of,
  startTestServer,
  type TestServer,
} from './http-test-support.js';

let server: TestServer;
let tmp: string;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-download-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const payload = fakeOnnx(300_000);

describe('downloadFile', () => {
  it('streams the body to disk with its sha256, size and progress', async () => {
    server.route('/ok.bin', serveBytes(payload));
    const dest = path.join(tmp, 'ok.bin');
    const seen: Array<[number, number | undefined]> = [];
    const result = await downloadFile(`${server.baseUrl}/ok.bin`, dest, {
      onProgress: (received, total) => seen.push([received, total]),
    });
    expect(result.bytes).toBe(payload.length);
    expect(result.sha256).toBe(sha256Of(payload));
    expect(readFileSync(dest).equals(payload)).toBe(true);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toEqual([payload.length, payload.length]);
    expect(seen.every(([, total]) => total === payload.length)).toBe(true);
  });

  it('uses the expected size for progress when the answer is chunked', async () => {
    server.route('/chunked.bin', serveBytes(payload, { chunked: true }));
    const seen: Array<number | undefined> = [];
    const result = await downloadFile(`${server.baseUrl}/chunked.bin`, path.join(tmp, 'c'), {
      expectedBytes: payload.length,
      onProgress: (_r, total) => seen.push(total),
    });
    expect(result.sha256).toBe(sha256Of(payload));
    expect(new Set(seen)).toEqual(new Set([payload.length]));
  });

  it('reports 404 and 500 with the status and URL', async () => {
    server.route('/boom', serveStatus(500));
    const missing = downloadFile(`${server.baseUrl}/nothing-here`, path.join(tmp, 'a'));
    await expect(missing).rejects.toThrow(HttpStatusError);
    await expect(missing).rejects.toThrow(`HTTP 404 Not Found from ${server.baseUrl}/nothing-here`);
    const failing = downloadFile(`${server.baseUrl}/boom`, path.join(tmp, 'b'));
    await expect(failing).rejects.toMatchObject({ status: 500 });
    await expect(failing).rejects.toThrow(/HTTP 500 .*\/boom: the server failed/);
  });

  it('follows a chain of redirects (relative and absolute) like Hugging Face -> CDN', async () => {
    server.route('/hf/file.bin', redirectTo('/cdn/step1', 302));
    server.route('/cdn/step1', redirectTo(`${server.baseUrl}/cdn/step2`, 307));
    server.route('/cdn/step2', redirectTo('final.bin', 301));
    server.route('/cdn/final.bin', serveBytes(payload));
    const result = await downloadFile(`${server.baseUrl}/hf/file.bin`, path.join(tmp, 'r'));
    expect(result.finalUrl).toBe(`${server.baseUrl}/cdn/final.bin`);
    expect(result.sha256).toBe(sha256Of(payload));
  });

  it('stops after 5 redirects and on a redirect loop, naming the chain', async () => {
    for (let i = 0; i < 6; i++) server.route(`/hop${i}`, redirectTo(`/hop${i + 1}`));
    server.route('/hop6', serveBytes(payload));
    const tooMany = downloadFile(`${server.baseUrl}/hop0`, path.join(tmp, 'x'));
    await expect(tooMany).rejects.toThrow(RedirectError);
    await expect(tooMany).rejects.toThrow(/More than 5 redirects .*hop0 -> .*hop6/);
    // Five hops are allowed.
    const five = await downloadFile(`${server.baseUrl}/hop1`, path.join(tmp, 'y'));
    expect(five.bytes).toBe(payload.length);

    server.route('/loop-a', redirectTo('/loop-b'));
    server.route('/loop-b', redirectTo('/loop-a'));
    await expect(downloadFile(`${server.baseUrl}/loop-a`, path.join(tmp, 'z'))).rejects.toThrow(
      /Redirect loop .*loop-a -> .*loop-b -> .*loop-a/,
    );
  });

  it('turns a body shorter than its Content-Length into a truncation error', async () => {
    server.route('/cut.bin', serveTruncated(payload, 100_000));
    const url = `${server.baseUrl}/cut.bin`;
    const error = await downloadFile(url, path.join(tmp, 'cut')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TruncatedDownloadError);
    const truncated = error as TruncatedDownloadError;
    expect(truncated.expectedBytes).toBe(payload.length);
    expect(truncated.receivedBytes).toBe(100_000);
    expect(truncated.message).toContain(url);
    expect(truncated.message).toContain(`expected ${payload.length} bytes, received 100000`);
  });

  it('aborts through the signal while the body is arriving', async () => {
    const stalled = serveStalled(payload, 50_000);
    server.route('/slow.bin', stalled);
    const controller = new AbortController();
    const pending = downloadFile(`${server.baseUrl}/slow.bin`, path.join(tmp, 'slow'), {
      signal: controller.signal,
      onProgress: (received) => {
        if (received >= 50_000) controller.abort();
      },
    });
    await expect(pending).rejects.toThrow(DownloadAbortedError);
    await expect(pending).rejects.toThrow(/aborted after 50000 bytes/);
    stalled.release();
  });

  it('fails with a timeout when the server goes quiet', async () => {
    const stalled = serveStalled(payload, 10_000);
    server.route('/quiet.bin', stalled);
    const pending = downloadFile(`${server.baseUrl}/quiet.bin`, path.join(tmp, 'quiet'), {
      idleTimeoutMs: 300,
    });
    await expect(pending).rejects.toThrow(DownloadError);
    await expect(pending).rejects.toThrow(
      /No data from .*quiet\.bin for 300 ms \(after 10000 bytes\)/,
    );
    stalled.release();
  });

  it('names the host when nothing listens', async () => {
    const closed = await startTestServer();
    const url = `${closed.baseUrl}/x`;
    await closed.close();
    await expect(downloadFile(url, path.join(tmp, 'n'))).rejects.toThrow(
      /Cannot reach 127\.0\.0\.1:\d+ to download .*: ECONNREFUSED/,
    );
  });

  it('never overwrites an existing file', async () => {
    server.route('/ok.bin', serveBytes(payload));
    const dest = path.join(tmp, 'exists');
    await downloadFile(`${server.baseUrl}/ok.bin`, dest);
    await expect(downloadFile(`${server.baseUrl}/ok.bin`, dest)).rejects.toThrow(
      /Cannot write .*EEXIST/,
    );
    expect(existsSync(dest)).toBe(true);
  });
});
