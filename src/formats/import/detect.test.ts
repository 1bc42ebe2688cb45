import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectImportFormat } from './detect.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sam-detect-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function layout(name: string, files: string[]): Promise<string> {
  const root = path.join(dir, name);
  for (const f of files) {
    await mkdir(path.dirname(path.join(root, f)), { recursive: true });
    if (!f.endsWith('/')) await writeFile(path.join(root, f), '');
  }
  await mkdir(root, { recursive: true });
  return root;
}

describe('detectImportFormat', () => {
  it('tells the layouts apart', async () => {
    expect(await detectImportFormat(await layout('voc', ['SegmentationObject/a.png']))).toBe('voc');
    expect(await detectImportFormat(await layout('yolo', ['data.yaml', 'labels/a.txt']))).toBe(
      'yolo',
    );
    expect(await detectImportFormat(await layout('seed', ['labels/a.txt', 'my classes.csv']))).toBe(
      'seed',
    );
    expect(await detectImportFormat(await layout('labels-only', ['labels/a.txt']))).toBe('yolo');
    expect(
      await detectImportFormat(path.join(await layout('coco', ['ann.json']), 'ann.json')),
    ).toBe('coco');
    await expect(detectImportFormat(await layout('empty', []))).rejects.toThrow(/none of these/);
    await expect(detectImportFormat(path.join(dir, 'missing'))).rejects.toThrow(/nothing there/);
  });
});
