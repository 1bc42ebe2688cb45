import type { Command } from 'commander';
import sharp from 'sharp';
import { describeSource, formatBytes } from '../../config/index.js';
import { HostMemoryProbe, resolveBudget } from '../../memory/index.js';
import { describeOnnxRuntime } from '../../model/onnx-runtime-info.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { EXIT, printJson, type CliIO } from '../io.js';

const MIN_NODE = [20, 9];

function nodeIsSupported(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE[0]! || (major === MIN_NODE[0] && minor >= MIN_NODE[1]!);
}

interface DoctorOptions {
  json?: boolean;
}

/** `doctor [--json]`: what this machine offers the annotator, and what to fix. */
export function registerDoctorCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command('doctor')
    .description('check Node, ONNX Runtime providers, sharp/libvips, the memory budget and the GPU')
    .option('--json', 'machine-readable output')
    .action(async (options: DoctorOptions, command: Command) => {
      const { config, logger } = commandContext(io, command.optsWithGlobals<GlobalOptions>());
      // The report says whether a GPU was found; only real faults of the probes are logged.
      const probe = new HostMemoryProbe({ logger: logger.child({}, { level: 'warn' }) });
      const sample = await probe.sample();
      const configured = config.get('memory.budget');
      const budget = resolveBudget({
        configured,
        cgroupLimit: sample.cgroup?.limitBytes ?? null,
        physical: sample.system.totalBytes,
      });
      const ort = await describeOnnxRuntime();
      const report = {
        node: { version: process.version, supported: nodeIsSupported(process.version) },
        onnxruntime: ort,
        sharp: {
          version: sharp.versions.sharp,
          libvips: sharp.versions.vips,
          formats: Object.entries(sharp.format)
            .filter(([, f]) => f.input.file)
            .map(([name]) => name),
        },
        memory: {
          budgetBytes: budget.bytes,
          budgetSource: budget.source,
          configured,
          configuredFrom: describeSource(config.sourceOf('memory.budget')),
          physicalBytes: sample.system.totalBytes,
          availableBytes: sample.system.availableBytes,
          cgroup: sample.cgroup,
          processRssBytes: sample.process.rss,
          thresholds: {
            warning: config.get('memory.warningThreshold'),
            critical: config.get('memory.criticalThreshold'),
            shrinkTarget: config.get('memory.shrinkTarget'),
          },
        },
        gpu: sample.gpu,
        // Set by bin/sam-annotator.js; null when the library is embedded or on another OS.
        mallocArenaMax: process.env.MALLOC_ARENA_MAX ?? null,
      };
      const problems: string[] = [];
      if (!report.node.supported)
        problems.push(`Node.js ${process.version} is too old: use 20.9 or newer.`);
      if (ort.loadError) {
        problems.push(`ONNX Runtime does not load (${ort.loadError}): reinstall onnxruntime-node.`);
      } else if (!ort.providers.some((p) => p.name === 'cpu' && p.installed)) {
        problems.push('ONNX Runtime has no CPU provider: reinstall onnxruntime-node.');
      }

      if (options.json) {
        printJson(io, { ...report, problems });
      } else {
        const line = (label: string, text: string): void => io.out(`${label.padEnd(16)}${text}`);
        line(
          'Node.js',
          `${process.version}${report.node.supported ? '' : '  (too old: use 20.9+)'}`,
        );
        line('ONNX Runtime', ort.version ? `${ort.version} (onnxruntime-node)` : 'does not load');
        for (const p of ort.providers) line(`  ${p.name}`, p.detail);
        line('sharp', `${report.sharp.version}, libvips ${report.sharp.libvips}`);
        const cg = sample.cgroup;
        line(
          'Memory budget',
          `${formatBytes(budget.bytes)} (set by ${budget.source === 'config' ? 'memory.budget' : budget.source === 'cgroup' ? 'the cgroup limit' : 'physical RAM'}; ` +
            `memory.budget = ${JSON.stringify(configured)} from ${describeSource(config.sourceOf('memory.budget'))}; ` +
            `cgroup ${cg ? `v${cg.version} limit ${cg.limitBytes === null ? 'none' : formatBytes(cg.limitBytes)}` : 'none'}; ` +
            `physical ${formatBytes(sample.system.totalBytes)}, available ${formatBytes(sample.system.availableBytes)})`,
        );
        const t = report.memory.thresholds;
        line(
          'Allocator',
          report.mallocArenaMax === null
            ? 'glibc defaults (start through bin/sam-annotator.js for MALLOC_ARENA_MAX=2)'
            : `MALLOC_ARENA_MAX=${report.mallocArenaMax}`,
        );
        line(
          'Thresholds',
          `warning ${t.warning}, critical ${t.critical}, shrink target ${t.shrinkTarget}`,
        );
        line(
          'GPU',
          sample.gpu && sample.gpu.length > 0
            ? sample.gpu
                .map((g) => `${g.index}: ${g.name}, ${formatBytes(g.totalBytes)}`)
                .join('; ')
            : 'none found (CPU execution)',
        );
        for (const problem of problems) io.err(`problem: ${problem}`);
        if (problems.length === 0) io.out('All checks passed.');
      }
      setExit(problems.length === 0 ? EXIT.ok : EXIT.problemsFound);
    });
}
