import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_VERTEX_SAMPLE, type ProjectStats } from '../../store/index.js';
import { PROJECT_DIR_NAME } from '../context.js';
import { EXIT, printJson, type CliIO } from '../io.js';
import { count, runProjectCommand } from './project-command.js';

interface StatsOptions {
  vertexSample: number;
  project?: string;
  json?: boolean;
}

/** Days of the annotation rate shown in the text summary (JSON has them all). */
const RATE_DAYS_SHOWN = 14;

function vertexSampleArgument(text: string): number {
  if (text.trim().toLowerCase() === 'all') return Infinity;
  if (!/^\d+$/.test(text.trim())) {
    throw new InvalidArgumentError(`expected a whole number >= 0 or "all", got "${text}".`);
  }
  return Number(text);
}

function rounded(value: number | null, digits = 1): string {
  return value === null ? '-' : value.toFixed(digits);
}

/** A readable summary of the statistics, one section a few lines. */
export function statsText(stats: ProjectStats, root: string): string[] {
  const lines = [
    `${root}: ${stats.total_images} images (${stats.annotated_images} annotated), ` +
      `${stats.total_annotations} objects in ${stats.classes.length} classes`,
    'images by status: ' +
      Object.entries(stats.images_by_status)
        .map(([status, n]) => `${status} ${n}`)
        .join(', '),
  ];
  if (stats.classes.length > 0) {
    const width = Math.max(5, ...stats.classes.map((c) => c.name.length));
    lines.push(
      'classes:',
      `  ${'id'.padStart(3)}  ${'class'.padEnd(width)}  ${'objects'.padStart(7)}  ${'images'.padStart(6)}  ` +
        `${'total area'.padStart(12)}  ${'mean area'.padStart(10)}`,
    );
    for (const c of stats.classes) {
      lines.push(
        `  ${String(c.index).padStart(3)}  ${c.name.padEnd(width)}  ${String(c.objects).padStart(7)}  ` +
          `${String(c.images).padStart(6)}  ${String(c.total_area).padStart(12)}  ` +
          `${rounded(c.mean_area).padStart(10)}`,
      );
    }
  }
  const histogram = Object.entries(stats.objects_per_image_histogram)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([n, images]) => `${n}: ${images}`);
  lines.push(`images by object count (objects: images): ${histogram.join(', ') || 'none'}`);
  const sources = Object.entries(stats.objects_by_source)
    .filter(([, n]) => n > 0)
    .map(([source, n]) => `${source} ${n}`);
  if (sources.length > 0) lines.push(`objects by source: ${sources.join(', ')}`);
  const v = stats.vertices;
  if (v.measured > 0) {
    lines.push(
      `polygon vertices per object: ${rounded(v.mean)} (tolerance ${v.tolerance} px, ` +
        `${v.sampled ? `a sample of ${v.measured} of ${v.total}` : `all ${v.total}`} objects)`,
    );
  }
  const days = stats.annotation_rate.per_day;
  if (days.length > 0) {
    const perDay = stats.total_annotations / days.length;
    lines.push(
      `annotation rate: ${rounded(perDay)} objects per active day over ${count(days.length, 'day')}` +
        (days.length > RATE_DAYS_SHOWN ? ` (last ${RATE_DAYS_SHOWN} shown)` : ''),
    );
    for (const { day, objects } of days.slice(-RATE_DAYS_SHOWN)) {
      lines.push(`  ${day}  ${objects}`);
    }
  }
  return lines;
}

/**
 * `stats DIR [--json] [--vertex-sample N]`: the project's statistics; the JSON holds the seed
 * tool's --export_stats fields first, then ours.
 */
export function registerStatsCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command('stats')
    .description('annotation statistics: classes, objects per image, status, annotation rate')
    .argument('<dir>', 'dataset folder')
    .option('--json', "JSON (a superset of the seed tool's --export_stats file)")
    .option(
      '--vertex-sample <n>',
      'objects whose polygon vertices are counted (0: none, "all": every object)',
      vertexSampleArgument,
      DEFAULT_VERTEX_SAMPLE,
    )
    .option('--project <dir>', `project folder (default: <dir>/${PROJECT_DIR_NAME})`)
    .action(async (dir: string, options: StatsOptions, command: Command) => {
      await runProjectCommand(io, setExit, command, dir, options.project, async (ctx) => {
        const stats = ctx.store.stats({ vertexSample: options.vertexSample });
        if (options.json) printJson(io, stats);
        else for (const line of statsText(stats, ctx.location.root)) io.out(line);
        return EXIT.ok;
      });
    });
}
