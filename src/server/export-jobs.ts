import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ImageIndex } from '../dataset/index.js';
import { exportAnnotations, type ExportFormat } from '../formats/index.js';
import type { Logger } from '../log/logger.js';
import type { ImageRecord, ProjectStore } from '../store/index.js';
import type { ExportBody, ExportJob } from './api-contract.js';
import type { EventHub } from './event-hub.js';
import { notFound } from './http-error.js';

/** The API's format names (the issue's CLI names) to the exporters'. */
const FORMAT: Record<ExportBody['format'], ExportFormat> = {
  coco: 'coco',
  yolo: 'yolo-det',
  'yolo-seg': 'yolo-seg',
  voc: 'voc',
  seed: 'seed',
};

const KEPT_JOBS = 50;

export interface ExportJobsOptions {
  store: ProjectStore;
  index: ImageIndex;
  datasetDir: string;
  exportsDir: string;
  hub: EventHub;
  logger: Logger;
}

/**
 * Exports run as jobs: one at a time, each into its own new folder under the project's
 * exports/, progress published as `job` events. The folder appears only when complete (the
 * exporters stage and rename), so a failed job leaves nothing behind.
 */
export class ExportJobs {
  private readonly jobs = new Map<string, ExportJob>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ExportJobsOptions) {}

  start(body: ExportBody): ExportJob {
    const id = randomBytes(9).toString('base64url');
    const job: ExportJob = {
      id,
      format: body.format,
      state: 'queued',
      done: 0,
      total: 0,
      outputPath: null,
      downloadUrl: null,
      warnings: [],
      error: null,
    };
    this.jobs.set(id, job);
    this.forgetOld();
    this.publish(job);
    this.queue = this.queue.then(() => this.run(job, body));
    return { ...job };
  }

  get(id: string): ExportJob {
    const job = this.jobs.get(id);
    if (!job) throw notFound(`No export job ${id}.`, 'params.id');
    return { ...job };
  }

  /** The single file a finished job offers for download (COCO's instances JSON). */
  downloadFile(id: string): string {
    const job = this.get(id);
    if (job.state !== 'done' || job.format !== 'coco' || !job.outputPath) {
      throw notFound(`Export job ${id} has no file to download.`, 'params.id');
    }
    return path.join(job.outputPath, 'annotations', 'instances_default.json');
  }

  /** Resolves once every job started so far has finished. */
  whenIdle(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  private async run(job: ExportJob, body: ExportBody): Promise<void> {
    const { store, index, datasetDir, exportsDir, logger } = this.options;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const destination = path.join(exportsDir, `${body.format}-${stamp}-${job.id.slice(0, 4)}`);
    job.state = 'running';
    job.total = store.images.countByStatus().total;
    this.publish(job);
    let lastPublished = 0;
    try {
      const result = await exportAnnotations(FORMAT[body.format], store, destination, {
        datasetRoot: datasetDir,
        ...(body.segmentation ? { segmentation: body.segmentation } : {}),
        ...(body.split ? { splits: splitText(body.split) } : {}),
        imageSize: (image: ImageRecord) => imageSize(index, image),
        onProgress: ({ done, total }) => {
          job.done = done;
          job.total = total;
          const now = Date.now();
          if (now - lastPublished > 200 || done === total) {
            lastPublished = now;
            this.publish(job);
          }
        },
      });
      job.state = 'done';
      job.done = job.total = result.images;
      job.outputPath = result.destination;
      job.warnings = result.warnings;
      if (body.format === 'coco' && !body.split)
        job.downloadUrl = `/api/exports/${job.id}/download`;
      logger.info({ ...result, job: job.id }, 'export finished');
    } catch (err) {
      job.state = 'failed';
      job.error = err instanceof Error ? err.message : String(err);
      logger.warn({ err, job: job.id, format: body.format }, 'export failed');
    }
    this.publish(job);
  }

  private publish(job: ExportJob): void {
    this.options.hub.publish('job', { ...job });
  }

  private forgetOld(): void {
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= KEPT_JOBS) break;
      if (job.state === 'done' || job.state === 'failed') this.jobs.delete(id);
    }
  }
}

function splitText(split: Record<string, number>): string {
  return Object.entries(split)
    .map(([name, share]) => `${name}=${share}`)
    .join(',');
}

async function imageSize(index: ImageIndex, image: ImageRecord) {
  const entry = index.get(image.key) ?? index.byRelPath(image.path);
  if (!entry) return null;
  const header = await index.metadata(entry.id);
  return { width: header.width, height: header.height };
}
