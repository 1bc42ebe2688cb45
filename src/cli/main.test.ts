import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, type CliIO } from './io.js';
import { main } from './main.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const photos = path.join(repoRoot, 'examples/photos');
const truncatedJpeg = path.join(repoRoot, 'test/fixtures/truncated.jpg');
const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') };
  const code = await main(argv, io);
  return { code, out, err };
}

function datasetWithBrokenFiles(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sam-cli-scan-'));
  tempDirs.push(dir);
  mkdirSync(path.join(dir, 'sub'));
  copyFileSync(path.join(photos, 'horse.png'), path.join(dir, 'img10.png'));
  copyFileSync(path.join(photos, 'rocket.jpg'), path.join(dir, 'sub', 'img2.jpg'));
  copyFileSync(truncatedJpeg, path.join(dir, 'truncated.jpg'));
  writeFileSync(path.join(dir, 'empty.png'), '');
  writeFileSync(path.join(dir, 'notes.tif'), 'this is text, not a TIFF');
  writeFileSync(path.join(dir, 'readme.txt'), 'not an image extension: never listed');
  return dir;
}

describe('sam-annotator doctor', () => {
  it('reports node, onnxruntime providers, sharp, the memory budget and the GPU as JSON', async () => {
    const { code, out } = await run('doctor', '--json', '--set', 'memory.budget=1GiB');
    expect(code).toBe(EXIT.ok);
    const report = JSON.parse(out);
    expect(report.node.version).toBe(process.version);
    expect(report.onnxruntime.version).toMatch(/^1\.\d+\.\d+/);
    expect(report.onnxruntime.providers).toContainEqual(
      expect.objectContaining({ name: 'cpu', installed: true }),
    );
    expect(report.sharp.libvips).toMatch(/^\d+\.\d+/);
    expect(report.memory.budgetBytes).toBe(1024 ** 3);
    expect(report.memory.budgetSource).toBe('config');
    expect(report.memory.configuredFrom).toBe('command-line flag --set memory.budget=1GiB');
    expect(report.memory.physicalBytes).toBeGreaterThan(0);
    expect('gpu' in report).toBe(true);
    expect(report.problems).toEqual([]);
  });

  it('prints a readable report that names where the budget came from', async () => {
    const { code, out } = await run('doctor');
    expect(code).toBe(EXIT.ok);
    expect(out).toMatch(
      /Memory budget\s+[\d.]+ (GiB|MiB) \(set by (physical RAM|the cgroup limit)/,
    );
    expect(out).toContain('cpu');
  });

  it('rejects a bad config value with exit code 2 and a message naming it', async () => {
    const { code, err } = await run('doctor', '--set', 'memory.criticalThreshold=2');
    expect(code).toBe(EXIT.usage);
    expect(err).toContain('memory.criticalThreshold = "2"');
    expect(err).toContain('command-line flag --set memory.criticalThreshold=2');
  });
});

describe('sam-annotator scan', () => {
  it('counts the sample photos by format without reading them', async () => {
    const { code, out } = await run('scan', photos, '--json');
    expect(code).toBe(EXIT.ok);
    const result = JSON.parse(out);
    expect(result.images).toBe(8);
    expect(result.byFormat).toEqual({ png: 5, jpeg: 3 });
    expect(result.totalBytes).toBeGreaterThan(2_000_000);
    expect(result.broken).toBeUndefined();
  });

  it('lists broken files with --verify, naming each, and exits 3', async () => {
    const dir = datasetWithBrokenFiles();
    const { code, out } = await run('scan', dir, '--verify', '--json');
    expect(code).toBe(EXIT.problemsFound);
    const result = JSON.parse(out);
    expect(result.images).toBe(5);
    const reasons = Object.fromEntries(
      result.broken.map((b: { path: string; reason: string }) => [b.path, b.reason]),
    );
    expect(reasons).toEqual({
      'empty.png': 'empty',
      'notes.tif': 'not-an-image',
      'truncated.jpg': 'truncated',
    });
    for (const b of result.broken) expect(b.message).toContain(path.join(dir, b.path));
  });

  it('says plainly when the folder does not exist', async () => {
    const { code, err } = await run('scan', '/nonexistent/dataset');
    expect(code).toBe(EXIT.error);
    expect(err).toContain('/nonexistent/dataset');
  });

  it('reads the dataset config file from the project folder', async () => {
    const dir = datasetWithBrokenFiles();
    mkdirSync(path.join(dir, '.sam-annotator'));
    // A pixel limit under the rocket's 640x427 makes it a refused "decompression bomb".
    writeFileSync(
      path.join(dir, '.sam-annotator', 'sam-annotator.config.json'),
      JSON.stringify({ dataset: { decodePixelLimit: 200_000 } }),
    );
    const { out } = await run('scan', dir, '--verify', '--json');
    const broken = JSON.parse(out).broken as Array<{ path: string; reason: string }>;
    expect(broken).toContainEqual(
      expect.objectContaining({ path: 'sub/img2.jpg', reason: 'too-many-pixels' }),
    );
  });
});

describe('sam-annotator config', () => {
  it('lists every key with its value and source', async () => {
    const { code, out } = await run('config', '--json', '--set', 'prefetch.depth=4');
    expect(code).toBe(EXIT.ok);
    const rows = JSON.parse(out) as Array<{ key: string; value: unknown; source: string }>;
    expect(rows.find((r) => r.key === 'prefetch.depth')).toMatchObject({
      value: 4,
      source: 'command-line flag --set prefetch.depth=4',
    });
    expect(rows.find((r) => r.key === 'memory.warningThreshold')).toMatchObject({
      value: 0.85,
      source: 'the default',
    });
  });
});

describe('the sam-annotator process', () => {
  it('keeps stdout pure JSON (logs go to stderr) and sets the exit code', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'src/cli/bin.ts'), 'scan', photos, '--json'],
      { cwd: repoRoot },
    );
    expect(JSON.parse(stdout).images).toBe(8);
    await expect(
      run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/bin.ts'), 'nosuch'], {
        cwd: repoRoot,
      }),
    ).rejects.toMatchObject({ code: EXIT.usage });
  });
});

describe('the installed binary (bin/sam-annotator.js, after npm run build)', () => {
  const bin = path.join(repoRoot, 'bin/sam-annotator.js');
  const run = promisify(execFile);

  it('restarts itself with two malloc arenas and passes the exit code through', async () => {
    const env = { ...process.env };
    delete env.MALLOC_ARENA_MAX;
    const { stdout } = await run(process.execPath, [bin, 'doctor', '--json'], { env });
    expect(JSON.parse(stdout).mallocArenaMax).toBe('2');
    await expect(
      run(process.execPath, [bin, 'scan', '/nonexistent/dataset'], { env }),
    ).rejects.toMatchObject({ code: EXIT.error });
    const broken = datasetWithBrokenFiles();
    await run(process.execPath, [bin, 'scan', broken], { env });
    await expect(
      run(process.execPath, [bin, 'scan', broken, '--verify'], { env }),
    ).rejects.toMatchObject({ code: EXIT.problemsFound });
  });
});

describe('scan argument checks', () => {
  it('rejects a bad --concurrency as a usage error before scanning', async () => {
    const { code, err } = await run('scan', photos, '--verify', '--concurrency', '0');
    expect(code).toBe(EXIT.usage);
    expect(err).toContain('--concurrency');
    expect(err).toContain('"0"');
  });
});
