import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ExportJob } from '../api-contract.js';
import { exportBody, jobParams } from '../schemas.js';
import type { ServerContext } from '../server-context.js';
import { parseRequest } from '../validation.js';

export function registerExportRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/exports', async (request, reply): Promise<ExportJob> => {
    const body = parseRequest(exportBody, request.body, 'body');
    void reply.status(202);
    return ctx.exports.start(body);
  });

  app.get('/api/exports/:id', async (request): Promise<ExportJob> => {
    const { id } = parseRequest(jobParams, request.params, 'params');
    return ctx.exports.get(id);
  });

  app.get('/api/exports/:id/download', async (request, reply) => {
    const { id } = parseRequest(jobParams, request.params, 'params');
    const file = ctx.exports.downloadFile(id);
    void reply
      .type('application/json')
      .header('content-disposition', 'attachment; filename="instances_default.json"')
      .header('cache-control', 'no-store');
    return reply.send(createReadStream(file));
  });
}
