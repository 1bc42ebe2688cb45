import type { FastifyInstance } from 'fastify';
import type { ChangeResult } from '../../store/index.js';
import type { ChangeResponse, SetStatusResponse } from '../api-contract.js';
import { historyDto, objectDtos } from '../dto.js';
import { conflict } from '../http-error.js';
import { createObjectBody, idParams, setStatusBody, updateObjectBody } from '../schemas.js';
import type { ServerContext } from '../server-context.js';
import { parseRequest } from '../validation.js';

/** Every change answers with the image's objects as they are now, warnings included. */
function changeResponse(ctx: ServerContext, change: ChangeResult): ChangeResponse {
  const imageId = change.imageId;
  const objects = ctx.store.objects.listOf(imageId);
  const touched = [...change.added, ...change.updated];
  return {
    imageId,
    objects: objectDtos(objects, ctx.store.objects.imageWarnings(imageId)),
    history: historyDto(change),
    status: ctx.store.images.get(imageId).status,
    objectId: touched.length === 1 ? touched[0]!.id : null,
  };
}

export function registerObjectRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/images/:id/objects', async (request, reply): Promise<ChangeResponse> => {
    const { id } = parseRequest(idParams, request.params, 'params');
    const body = parseRequest(createObjectBody, request.body, 'body');
    const change = ctx.store.objects.add({
      imageId: id,
      classId: body.classId,
      rle: body.rle,
      source: body.source,
      score: body.score ?? null,
      prompts: body.prompts ?? null,
    });
    void reply.status(201);
    return changeResponse(ctx, change);
  });

  app.patch('/api/objects/:id', async (request): Promise<ChangeResponse> => {
    const { id } = parseRequest(idParams, request.params, 'params');
    const body = parseRequest(updateObjectBody, request.body, 'body');
    return changeResponse(ctx, ctx.store.objects.update(id, body));
  });

  app.delete('/api/objects/:id', async (request): Promise<ChangeResponse> => {
    const { id } = parseRequest(idParams, request.params, 'params');
    return changeResponse(ctx, ctx.store.objects.delete(id));
  });

  app.delete('/api/images/:id/objects', async (request): Promise<ChangeResponse> => {
    const { id } = parseRequest(idParams, request.params, 'params');
    return changeResponse(ctx, ctx.store.objects.clearImage(id));
  });

  for (const direction of ['undo', 'redo'] as const) {
    app.post(`/api/images/:id/${direction}`, async (request): Promise<ChangeResponse> => {
      const { id } = parseRequest(idParams, request.params, 'params');
      const change = ctx.store.objects[direction](id);
      if (!change) {
        throw conflict(`Nothing to ${direction} on image ${id}.`, 'params.id');
      }
      return changeResponse(ctx, change);
    });
  }

  app.put('/api/images/:id/status', async (request): Promise<SetStatusResponse> => {
    const { id } = parseRequest(idParams, request.params, 'params');
    const body = parseRequest(setStatusBody, request.body, 'body');
    const image = ctx.store.images.setStatus(id, body.status, body.note);
    return { id: image.id, status: image.status, note: image.note };
  });
}
