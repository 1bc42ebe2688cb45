import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KNOWN_MODELS, downloadSize, downloadUrl, findKnownModel } from './known-models.js';

const modelsDoc = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../shared/MODELS.md',
);

describe('KNOWN_MODELS', () => {
  it('holds every archive of MODELS.md with its published sha256 and host', () => {
    const doc = readFileSync(modelsDoc, 'utf8');
    const listed = [...doc.matchAll(/`([\w.]+\.zip)`\s+[\d.]+ MB, sha256 ([0-9a-f]{64})/g)];
    expect(listed.length).toBeGreaterThanOrEqual(5);
    for (const [, fileName, sha256] of listed) {
      const download = KNOWN_MODELS.flatMap((m) => m.downloads).find(
        (d) => d.fileName === fileName,
      );
      expect(download, fileName).toBeDefined();
      expect(download!.sha256).toBe(sha256);
      const repo = fileName!.startsWith('sam2')
        ? 'vietanhdev/segment-anything-2-onnx-models'
        : 'vietanhdev/segment-anything-onnx-models';
      expect(download!.url).toBe(`https://huggingface.co/${repo}/resolve/main/${fileName}`);
    }
  });

  it('has unique names and aliases, plain folder names and https sources', () => {
    const names = KNOWN_MODELS.flatMap((m) => [m.name, ...(m.aliases ?? [])]).map((n) =>
      n.toLowerCase(),
    );
    expect(new Set(names).size).toBe(names.length);
    for (const model of KNOWN_MODELS) {
      expect(model.name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
      expect(model.contract).toBe(model.family === 'sam2' ? 'B' : 'A1-C1');
      for (const d of model.downloads) {
        expect(d.url.startsWith('https://')).toBe(true);
        expect(d.url.endsWith(`/${d.fileName}`)).toBe(true);
        if (d.kind === 'file') {
          expect([model.encoder, model.decoder]).toContain(d.fileName);
        }
      }
    }
  });

  it('keeps loose X-AnyLabeling files without a hash, to be recorded on first download', () => {
    const loose = KNOWN_MODELS.filter((m) => m.downloads.some((d) => d.kind === 'file'));
    expect(loose.length).toBeGreaterThan(0);
    for (const model of loose) {
      expect(model.downloads.every((d) => d.sha256 === undefined)).toBe(true);
      expect(model.downloads[0]!.url).toMatch(
        /^https:\/\/github.com\/CVHub520\/X-AnyLabeling\/releases\/download\//,
      );
    }
  });
});

describe('findKnownModel / downloadUrl / downloadSize', () => {
  it('finds by name or alias, ignoring case', () => {
    expect(findKnownModel('MobileSAM')?.name).toBe('mobile_sam_20230629');
    expect(findKnownModel(' sam2_hiera_tiny ')?.contract).toBe('B');
    expect(findKnownModel('sam_vit_h')).toBeUndefined();
  });

  it('maps every file onto a mirror by file name', () => {
    const tiny = findKnownModel('sam2_hiera_tiny')!.downloads[0]!;
    expect(downloadUrl(tiny)).toBe(tiny.url);
    expect(downloadUrl(tiny, 'http://127.0.0.1:8080')).toBe(
      'http://127.0.0.1:8080/sam2_hiera_tiny.zip',
    );
    expect(downloadUrl(tiny, 'https://mirror.example/models/')).toBe(
      'https://mirror.example/models/sam2_hiera_tiny.zip',
    );
  });

  it('adds exact sizes where known and approximate ones otherwise', () => {
    expect(downloadSize(findKnownModel('mobile_sam_20230629')!)).toBe(36_655_105);
    expect(downloadSize(findKnownModel('x-anylabeling-mobile_sam')!)).toBe(28_200_000 + 16_500_000);
  });
});
