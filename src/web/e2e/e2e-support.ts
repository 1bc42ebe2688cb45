/**
 * Browser tests of the built page (dist/web) against a real server: the real SQLite store, the
 * built-in default segmenter and a temporary copy of examples/photos, driven through Chromium by
 * playwright-core. One browser per test file; steps leave screenshots in
 * .cache/e2e-screenshots/<test>/<step>.png for a person to look at when a test fails.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
  type Request,
} from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  startDatasetServer,
  startTestServer,
  type TestServer,
} from '../../server/server-test-support.js';
import type {
  CandidateDto,
  ChangeResponse,
  ClassDto,
  ImageDetail,
  ImageListResponse,
  ImageSummary,
  ObjectDto,
  ObjectPrompts,
  PredictBody,
  PredictResponse,
} from '../api/types';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const WEB_ROOT = path.join(REPO_ROOT, 'dist', 'web');
export const SCREENSHOT_ROOT = path.join(REPO_ROOT, '.cache', 'e2e-screenshots');
export const CHROMIUM_PATH = process.env.SAM_E2E_CHROMIUM ?? '/usr/bin/chromium';
/** STACK.md: Playwright adds headless, no-sandbox and the background-networking flags itself. */
const CHROMIUM_ARGS = ['--disable-gpu', '--disable-quic'];
export const VIEWPORT = { width: 1280, height: 800 };
/**
 * Generous waits: a passing run never waits them out, and on a loaded 2-core machine (the whole
 * suite in parallel) the first mask of an image (OpenCV load + encode) can take many seconds.
 */
const WAIT_MS = 20_000;
export const E2E_TEST_TIMEOUT_MS = 90_000;

/**
 * Whether the browser tests can run here. Without Chromium they are skipped with this reason,
 * except in CI (which installs it): there a missing browser fails the run instead of hiding it.
 */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  const where = `Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium, or set SAM_E2E_CHROMIUM)`;
  if (process.env.CI) throw new Error(`${where}: CI must run the browser tests`);
  const reason = `${where}: browser tests skipped`;
  console.warn(reason);
  return reason;
}

/**
 * A block of browser tests with the browser tests' timeout, skipped (with a warning) where
 * Chromium is missing outside CI; in CI a missing Chromium fails (browserMissing).
 */
export function describeInBrowser(title: string, body: () => void): void {
  describe.skipIf(browserMissing() !== null)(title, { timeout: E2E_TEST_TIMEOUT_MS }, body);
}

export interface E2eRig {
  test: TestServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** http://127.0.0.1:PORT/ */
  baseUrl: string;
  /** The dataset's images in list order, and the classes, as the server listed them at start. */
  images: ImageSummary[];
  classes: ClassDto[];
  image(path: string): ImageSummary;
  cls(name: string): ClassDto;
  close(): Promise<void>;
}

/**
 * A listening server over the sample photos (or over `datasetDir`, a folder the test made),
 * Chromium, and one page on the annotator.
 */
export interface RigOptions {
  photos?: string[];
  datasetDir?: string;
  statusIntervalMs?: number;
  set?: Record<string, string>;
}

export async function startRig(options: RigOptions = {}): Promise<E2eRig> {
  if (!existsSync(path.join(WEB_ROOT, 'index.html'))) {
    throw new Error(
      `The built page is missing (${WEB_ROOT}/index.html): run "npm run build:web" first (npm test does it in pretest).`,
    );
  }
  const server = { statusIntervalMs: options.statusIntervalMs ?? 200 };
  const set = options.set ?? {};
  const [test, browser] = await Promise.all([
    options.datasetDir
      ? startDatasetServer(options.datasetDir, { webRoot: WEB_ROOT, server, set })
      : startTestServer({
          webRoot: WEB_ROOT,
          server,
          set,
          ...(options.photos ? { photos: options.photos } : {}),
        }),
    chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }),
  ]);
  await test.server.app.listen({ host: '127.0.0.1', port: 0 });
  const address = test.server.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const baseUrl = `http://127.0.0.1:${address.port}/`;
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  // A page error is a bug whatever the test checks: fail loudly with the browser's message.
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const rig: E2eRig = {
    test,
    browser,
    context,
    page,
    baseUrl,
    images: [],
    classes: [],
    image(wanted) {
      const found = rig.images.find((i) => i.path === wanted);
      if (!found) throw new Error(`No image ${wanted} in ${rig.images.map((i) => i.path)}`);
      return found;
    },
    cls(name) {
      const found = rig.classes.find((c) => c.name === name);
      if (!found) throw new Error(`No class ${name} in ${rig.classes.map((c) => c.name)}`);
      return found;
    },
    async close() {
      await browser.close().catch(() => undefined);
      await test.close();
      if (pageErrors.length > 0) throw new Error(`Errors in the page: ${pageErrors.join('; ')}`);
    },
  };
  rig.images = (await apiGet<ImageListResponse>(rig, '/api/images')).items;
  rig.classes = await apiGet<ClassDto[]>(rig, '/api/classes');
  return rig;
}

/**
 * The rig of one test file, started before its tests and closed after them (call it in the
 * describe block). The object it returns is filled in when the rig starts; `options` may be a
 * function, run then (to generate a dataset first).
 */
export function useRig(options: RigOptions | (() => Promise<RigOptions>) = {}): E2eRig {
  const rig = {} as E2eRig;
  let started: E2eRig | null = null;
  beforeAll(async () => {
    started = await startRig(typeof options === 'function' ? await options() : options);
    Object.assign(rig, started);
  });
  afterAll(async () => {
    await started?.close();
  });
  return rig;
}

/** Screenshots of one test, numbered in the order taken (the folder is emptied first). */
export class Shots {
  private n = 0;
  readonly dir: string;

  constructor(testName: string) {
    this.dir = path.join(SCREENSHOT_ROOT, testName);
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
  }

  async take(page: Page, step: string): Promise<string> {
    const file = path.join(this.dir, `${String(++this.n).padStart(2, '0')}-${step}.png`);
    await page.screenshot({ path: file });
    return file;
  }
}

export const testId = (page: Page, id: string) => page.getByTestId(id);

/**
 * Loads the page afresh (at an image when given: about:blank first, so that a changed #image
 * is a new load rather than a jump inside the page) and waits until the image is on screen.
 */
export async function openPage(rig: E2eRig, imageId?: number): Promise<void> {
  const url = imageId === undefined ? rig.baseUrl : `${rig.baseUrl}#image=${imageId}`;
  await rig.page.goto('about:blank');
  await rig.page.goto(url);
  await waitForImage(rig.page, imageId);
}

/** Waits until the open image (this one when given) is loaded and its picture drawn. */
export async function waitForImage(page: Page, imageId?: number): Promise<void> {
  await page.waitForFunction((id) => {
    const view = document.querySelector<HTMLElement>('[data-testid="canvas-view"]');
    const drawn = view?.dataset.drawnImage;
    const current = /#image=(\d+)/.exec(location.hash)?.[1];
    return !!drawn && drawn === current && (id === undefined || Number(drawn) === id);
  }, imageId);
}

/** The id of the image the page shows (from its address). */
export async function currentImageId(page: Page): Promise<number> {
  const hash = await page.evaluate(() => location.hash);
  const id = /#image=(\d+)/.exec(hash)?.[1];
  if (id === undefined) throw new Error(`No image in the address: "${hash}"`);
  return Number(id);
}

/**
 * Where a point of the open image (original pixels) is on the page, with the camera at "fit"
 * (as after opening an image): the same rule as Camera.fit (16 px padding, centred), checked
 * against the zoom badge so a changed layout fails here rather than clicking elsewhere.
 */
export async function screenPoint(
  page: Page,
  image: { width: number; height: number },
  x: number,
  y: number,
): Promise<{ x: number; y: number }> {
  const box = await page.getByTestId('canvas').boundingBox();
  if (!box) throw new Error('The canvas is not on screen');
  const scale = Math.min((box.width - 32) / image.width, (box.height - 32) / image.height);
  const badge = (await page.getByTestId('zoom-badge').textContent()) ?? '';
  const shown = Number(/(\d+)%/.exec(badge)?.[1]);
  if (Math.abs(shown - Math.round(scale * 100)) > 1) {
    throw new Error(`The view is not at fit: zoom ${badge}, fit would be ${scale * 100}%`);
  }
  return {
    x: box.x + (box.width - image.width * scale) / 2 + x * scale,
    y: box.y + (box.height - image.height * scale) / 2 + y * scale,
  };
}

/** Moves the mouse over an image point and checks that the canvas reports that very pixel. */
export async function hoverImagePoint(
  page: Page,
  image: { width: number; height: number },
  x: number,
  y: number,
): Promise<{ x: number; y: number }> {
  const at = await screenPoint(page, image, x, y);
  await page.mouse.move(at.x, at.y);
  const badge = (await page.getByTestId('zoom-badge').textContent()) ?? '';
  const m = /x (-?\d+)\s+y (-?\d+)/.exec(badge);
  if (!m || Math.abs(Number(m[1]) - x) > 1 || Math.abs(Number(m[2]) - y) > 1) {
    throw new Error(`The mouse at image (${x}, ${y}) shows "${badge}" on the canvas`);
  }
  return at;
}

/** RGBA of the canvas under a page point (device pixel ratio 1). */
export async function canvasPixel(
  page: Page,
  at: { x: number; y: number },
): Promise<[number, number, number, number]> {
  return page.evaluate(({ x, y }) => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="canvas"]')!;
    const rect = canvas.getBoundingClientRect();
    const d = canvas
      .getContext('2d')!
      .getImageData(Math.round(x - rect.left), Math.round(y - rect.top), 1, 1).data;
    return [d[0]!, d[1]!, d[2]!, d[3]!] as [number, number, number, number];
  }, at);
}

/** Waits until the canvas pixel under `at` differs from `before` by more than `minDelta` (sum of RGB). */
export async function waitForPixelChange(
  page: Page,
  at: { x: number; y: number },
  before: readonly number[],
  minDelta = 12,
): Promise<[number, number, number, number]> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const now = await canvasPixel(page, at);
    const delta =
      Math.abs(now[0] - before[0]!) + Math.abs(now[1] - before[1]!) + Math.abs(now[2] - before[2]!);
    if (delta > minDelta) return now;
    if (Date.now() > deadline) {
      throw new Error(
        `The canvas at (${at.x}, ${at.y}) stayed ${now.join(',')} (was ${before.join(',')})`,
      );
    }
    await page.waitForTimeout(50);
  }
}

/** GET over real HTTP, as the page does. */
export async function apiGet<T>(rig: E2eRig, url: string): Promise<T> {
  const response = await fetch(new URL(url.replace(/^\//, ''), rig.baseUrl));
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function apiPost<T>(rig: E2eRig, url: string, body: unknown): Promise<T> {
  const response = await fetch(new URL(url.replace(/^\//, ''), rig.baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * An object made over the API the way the page makes one: predict, then save a candidate
 * (`pick`: which one, default the best) with its prompt.
 */
export async function makeObject(
  rig: E2eRig,
  imageId: number,
  classId: number,
  prompt: ObjectPrompts,
  pick: 'best' | 'smallest' = 'best',
): Promise<{ change: ChangeResponse; candidate: CandidateDto }> {
  const { candidates } = await apiPost<PredictResponse>(
    rig,
    `/api/images/${imageId}/predict`,
    prompt,
  );
  const candidate =
    pick === 'best' ? candidates[0] : [...candidates].sort((a, b) => a.area - b.area)[0];
  if (!candidate) throw new Error(`No candidate for ${JSON.stringify(prompt)} on image ${imageId}`);
  const change = await apiPost<ChangeResponse>(rig, `/api/images/${imageId}/objects`, {
    classId,
    rle: candidate.rle,
    score: candidate.predictedIou,
    source: 'default',
    prompts: prompt,
  });
  return { change, candidate };
}

/** The next predict request the page sends, with its body. */
export async function nextPredict(page: Page, act: () => Promise<void>): Promise<PredictBody> {
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/predict')),
    act(),
  ]);
  return request.postDataJSON() as PredictBody;
}

/** Predict requests the page sends while `act` runs (and `settleMs` after). */
export async function predictsDuring(
  page: Page,
  act: () => Promise<void>,
  settleMs: number,
): Promise<PredictBody[]> {
  const bodies: PredictBody[] = [];
  const listen = (r: Request) => {
    if (r.method() === 'POST' && r.url().endsWith('/predict')) {
      bodies.push(r.postDataJSON() as PredictBody);
    }
  };
  page.on('request', listen);
  try {
    await act();
    await page.waitForTimeout(settleMs);
  } finally {
    page.off('request', listen);
  }
  return bodies;
}

export function imageDetail(rig: E2eRig, id: number): Promise<ImageDetail> {
  return apiGet<ImageDetail>(rig, `/api/images/${id}`);
}

export async function objectsOf(rig: E2eRig, id: number): Promise<ObjectDto[]> {
  return (await imageDetail(rig, id)).objects;
}

/** Polls until the value matches (the page answers asynchronously). */
export function until<T>(read: () => Promise<T> | T) {
  return expect.poll(read, { timeout: WAIT_MS, interval: 50 });
}

export const textOf = (locator: Locator) => () => locator.textContent();
export const classOf = (locator: Locator) => () => locator.getAttribute('class');
export const pressedOf = (locator: Locator) => () => locator.getAttribute('aria-pressed');
