import type { FastifyInstance } from 'fastify';
import type { ClassDto } from '../api-contract.js';
import { classDto } from '../dto.js';
import { createClassBody, deleteClassQuery, idParams, updateClassBody } from '../schemas.js';
import type { ServerContext } from '../server-context.js';
import { parseRequest } from '../validation.js';

function listClasses(ctx: ServerContext): ClassDto[] {
  const counts = ctx.store.classes.objectCounts();
  return ctx.store.classes.list().map((c) => classDto(c, counts.get(c.id) ?? 0));
}

export function registerClassRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/classes', async (): Promise<ClassDto[]> => listClasses(ctx));

  app.post('/api/classes', async (request, reply): Promise<ClassDto[]> => {
    const body = parseRequest(createClassBody, request.body, 'body');
    ctx.store.classes.add(body.name, body.color);
    void reply.status(201);
    return listClasses(ctx);
  });

  app.patch('/api/classes/:id', async (request): Promise<ClassDto[]> => {
    const { id } = parseRequest(idParams, request.params, 'params');
    const body = parseRequest(updateClassBody, request.body, 'body');
    ctx.store.classes.update(id, body);
    return listClasses(ctx);
  });

  app.delete('/api/classes/:id', async (request): Promise<ClassDto[]> => {
    const { id } = parseRequest(idParams, request.params, 'params');
    const { reassignTo } = parseRequest(deleteClassQuery, request.query, 'query');
    ctx.store.classes.delete(id, reassignTo === undefined ? {} : { reassignTo });
    return listClasses(ctx);
  });
}
