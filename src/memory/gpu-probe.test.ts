import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GpuProbe, GpuProbeError, NVIDIA_SMI_ARGS, parseNvidiaSmiCsv } from './gpu-probe.js';
import { capturingLogger } from './test-support.js';

const MiB = 1024 * 1024;
const dirs: string[] = [];

/** What a two-GPU machine prints for our query (captured format: no header, no units). */
const TWO_GPUS =
  '0, NVIDIA GeForce RTX 4090, 24564, 1133\n1, NVIDIA A100-SXM4-80GB, 81920, 40960\n';

/** A fake nvidia-smi: a shell script that records each call and its arguments, then runs `body`. */
async function fakeNvidiaSmi(
  body: string,
): Promise<{ command: string; calls: () => Promise<string[]> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sam-gpu-'));
  dirs.push(dir);
  const command = path.join(dir, 'nvidia-smi');
  const log = path.join(dir, 'calls.log');
  await writeFile(command, `#!/bin/sh\necho "$*" >> '${log}'\n${body}\n`);
  await chmod(command, 0o755);
  const calls = async (): Promise<string[]> =>
    (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { command, calls };
}

/** The pid a fake recorded in its directory (see the hung-binary test), or null. */
async function recordedPid(dir: string): Promise<number | null> {
  const text = await readFile(path.join(dir, 'pid'), 'utf8').catch(() => null);
  return text === null ? null : Number(text);
}

/** Signal 0 only asks whether the process exists (EPERM: it does, under another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

afterEach(async () => {
  const used = dirs.splice(0);
  // Whatever a test asserted or failed on, no fake is left running.
  for (const pid of await Promise.all(used.map(recordedPid))) {
    if (pid !== null && isRunning(pid)) process.kill(pid, 'SIGKILL');
  }
  await Promise.all(used.map((d) => rm(d, { recursive: true, force: true })));
});

describe('GpuProbe', () => {
  it('parses the real nvidia-smi CSV format from the binary it runs', async () => {
    const fake = await fakeNvidiaSmi(`printf '${TWO_GPUS}'`);
    const { logger } = capturingLogger();
    const probe = new GpuProbe({ command: fake.command, logger });
    expect(await probe.read()).toEqual([
      { index: 0, name: 'NVIDIA GeForce RTX 4090', totalBytes: 24564 * MiB, usedBytes: 1133 * MiB },
      { index: 1, name: 'NVIDIA A100-SXM4-80GB', totalBytes: 81920 * MiB, usedBytes: 40960 * MiB },
    ]);
    expect(await fake.calls()).toEqual([NVIDIA_SMI_ARGS.join(' ')]);
  });

  it('is null with one log line over many reads when the binary is absent', async () => {
    const { logger, lines } = capturingLogger();
    const probe = new GpuProbe({
      command: path.join(os.tmpdir(), 'no-such-dir-sam', 'nvidia-smi'),
      logger,
      maxAgeMs: 0,
    });
    for (let i = 0; i < 25; i++) expect(await probe.read()).toBeNull();
    expect(probe.isAbsent).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ code: 'ENOENT', willRetry: false });
  });

  it('backs off after a failing run instead of forking on every read', async () => {
    const fake = await fakeNvidiaSmi(
      'echo "NVIDIA-SMI has failed because it could not communicate with the driver" >&2; exit 9',
    );
    const { logger, lines } = capturingLogger();
    const probe = new GpuProbe({ command: fake.command, logger, maxAgeMs: 0 });
    for (let i = 0; i < 10; i++) expect(await probe.read()).toBeNull();
    expect(await fake.calls()).toHaveLength(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'GPU memory probe failed', willRetry: true });
  });

  it('retries after the back-off and says once that it works again', async () => {
    const fake = await fakeNvidiaSmi(
      `if [ -f "$(dirname "$0")/ok" ]; then printf '${TWO_GPUS}'; else exit 9; fi`,
    );
    const { logger, lines } = capturingLogger();
    const probe = new GpuProbe({ command: fake.command, logger, maxAgeMs: 0, retryAfterMs: 0 });
    expect(await probe.read()).toBeNull();
    await writeFile(path.join(path.dirname(fake.command), 'ok'), '');
    expect(await probe.read()).toHaveLength(2);
    expect(lines.map((l) => l.msg)).toEqual([
      'GPU memory probe failed',
      'GPU memory probe works again',
    ]);
  });

  it('kills a hung nvidia-smi at its timeout and logs that it timed out', async () => {
    // The fake records its pid, then becomes a sleep far longer than the test (exec keeps the pid).
    const fake = await fakeNvidiaSmi('echo $$ > "$(dirname "$0")/pid"; exec sleep 600');
    const { logger, lines } = capturingLogger();
    const probe = new GpuProbe({ command: fake.command, logger, timeoutMs: 300 });
    expect(await probe.read()).toBeNull();
    const pid = await recordedPid(path.dirname(fake.command));
    expect(pid).not.toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'GPU memory probe failed', willRetry: true });
    expect(lines[0]?.err).toMatch(/timed out: no answer within 300 ms, so it was killed/);
    expect(isRunning(pid!)).toBe(false);
  });

  it('reuses a fresh reading instead of forking for every check', async () => {
    const fake = await fakeNvidiaSmi(`printf '${TWO_GPUS}'`);
    const { logger } = capturingLogger();
    const cached = new GpuProbe({ command: fake.command, logger, maxAgeMs: 60_000 });
    await Promise.all([cached.read(), cached.read()]);
    await cached.read();
    expect(await fake.calls()).toHaveLength(1);
    const uncached = new GpuProbe({ command: fake.command, logger, maxAgeMs: 0 });
    await uncached.read();
    await uncached.read();
    expect(await fake.calls()).toHaveLength(3);
  });
});

describe('parseNvidiaSmiCsv', () => {
  it('keeps commas inside a GPU name', () => {
    expect(parseNvidiaSmiCsv('0, Tesla T4, rev A, 15360, 0\n')[0]?.name).toBe('Tesla T4, rev A');
  });

  it('names the line it cannot read', () => {
    expect(() => parseNvidiaSmiCsv('0, NVIDIA A10, [N/A], [N/A]\n')).toThrow(GpuProbeError);
    expect(() => parseNvidiaSmiCsv('0, NVIDIA A10, [N/A], [N/A]\n')).toThrow(/\[N\/A\]/);
    expect(() => parseNvidiaSmiCsv('\n')).toThrow(/no GPU lines/);
  });
});
