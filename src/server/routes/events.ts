import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server-context.js';

/** Server-sent events: memory, caches, prefetch, model state and export jobs. */
export function registerEventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/events', (_request, reply) => {
    reply.hijack();
    ctx.hub.attach(reply.raw);
  });
}
