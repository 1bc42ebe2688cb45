import type { FastifyInstance } from 'fastify';
import type { SessionInfo, StatsDto } from '../api-contract.js';
import { statsDto } from '../dto.js';
import type { ServerContext } from '../server-context.js';

/** Health, metrics, the session description and project statistics. */
export function registerStatusRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/healthz', async () => ({
    ok: true,
    images: ctx.index.size,
    memoryLevel: ctx.memory.currentLevel,
  }));

  app.get('/metrics', async (_request, reply) => {
    void reply.type(ctx.metrics.contentType);
    return ctx.metrics.text();
  });

  app.get('/api/session', async (): Promise<SessionInfo> => {
    const status = ctx.memory.status();
    return {
      version: ctx.version,
      dataset: { root: ctx.datasetDir, imageCount: ctx.index.size },
      model: ctx.model,
      limits: { maxPoints: ctx.options.maxPoints, maxBodyBytes: ctx.options.bodyLimit },
      memory: {
        warningThreshold: status.thresholds.warning,
        criticalThreshold: status.thresholds.critical,
      },
      validation: { ...ctx.store.validation },
    };
  });

  app.get('/api/stats', async (): Promise<StatsDto> => statsDto(ctx.store.stats()));
}
