import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EncodedImage } from '../../dataset/index.js';
import type { ImageDetail, ImageListResponse, ImagePosition } from '../api-contract.js';
import { historyDto, imageSummaryDto, objectDtos } from '../dto.js';
import { notFound } from '../http-error.js';
import { fileVersion, resolveImage, type ResolvedImage } from '../image-lookup.js';
import { idParams, imageListQuery, positionQuery, tileParams, versionQuery } from '../schemas.js';
import type { ServerContext } from '../server-context.js';
import { parseRequest } from '../validation.js';

/** A picture whose URL carries the file version can be cached for good; otherwise revalidated. */
function sendPicture(
  request: FastifyRequest,
  reply: FastifyReply,
  picture: EncodedImage,
  image: ResolvedImage,
  variant: string,
): FastifyReply {
  const version = fileVersion(image.entry);
  const etag = `"${image.record.key}-${version}-${variant}"`;
  const { v } = parseRequest(versionQuery, request.query, 'query');
  void reply
    .header('etag', etag)
    .header(
      'cache-control',
      v === version ? 'private, max-age=31536000, immutable' : 'private, no-cache',
    )
    .type(picture.contentType);
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  return reply.send(picture.data);
}

export function registerImageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/images', async (request): Promise<ImageListResponse> => {
    const query = parseRequest(imageListQuery, request.query, 'query');
    const page = ctx.store.images.list({
      offset: query.offset,
      limit: query.limit,
      ...(query.status ? { status: query.status } : {}),
      ...(query.classId ? { classId: query.classId } : {}),
      ...(query.search ? { search: query.search } : {}),
    });
    const { total: _total, ...statusCounts } = ctx.store.images.countByStatus();
    return {
      total: page.total,
      offset: page.offset,
      items: page.items.map(imageSummaryDto),
      statusCounts,
    };
  });

  app.get('/api/images/position', async (request): Promise<ImagePosition> => {
    const query = parseRequest(positionQuery, request.query, 'query');
    if (query.path !== undefined) {
      const image = ctx.store.images.findByPath(query.path);
      if (!image)
        throw notFound(`No image with path "${query.path}" in the dataset.`, 'query.path');
      return { index: ctx.store.images.positionOf(image.id), id: image.id };
    }
    const image = ctx.store.images.atPosition(query.index!);
    if (!image) throw notFound(`No image at index ${query.index}.`, 'query.index');
    return { index: query.index!, id: image.id };
  });

  app.get('/api/images/:id', async (request): Promise<ImageDetail> => {
    const { id } = parseRequest(idParams, request.params, 'params');
    const image = resolveImage(ctx, id);
    const header = await ctx.index.metadata(image.entry.id);
    let record = image.record;
    if (record.width !== header.width || record.height !== header.height) {
      record = ctx.store.images.setSize(id, header.width, header.height);
    }
    // The encode starts now, on-screen priority, and the next images are prefetched.
    ctx.engine.open(image.entry.id).then(
      () => ctx.modelStatus.succeeded(),
      (err: unknown) => {
        // Another image was opened before this one was encoded: nothing failed.
        if (err instanceof Error && err.name === 'AbortError') return;
        ctx.logger.warn({ err, image: record.path }, 'encoding the opened image failed');
        ctx.modelStatus.failed(
          `Encoding ${record.path} failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      },
    );
    const version = fileVersion(image.entry);
    const display = ctx.images.displaySizeOf(header);
    const objects = ctx.store.objects.listOf(id);
    const warnings = ctx.store.objects.imageWarnings(id);
    const { previous, next } = ctx.store.images.neighbours(id);
    const tiles = ctx.images.tileLevels(header);
    return {
      ...imageSummaryDto(record),
      width: header.width,
      height: header.height,
      note: record.note,
      index: ctx.store.images.positionOf(id),
      previousId: previous,
      nextId: next,
      objects: objectDtos(objects, warnings),
      history: historyDto({ history: ctx.store.objects.historyCounts(id) }),
      display: { ...display, url: `/api/images/${id}/display?v=${version}` },
      tiles: tiles.length > 0 ? { tileSize: ctx.images.tileSize, levels: tiles } : null,
    };
  });

  app.get('/api/images/:id/display', async (request, reply) => {
    const { id } = parseRequest(idParams, request.params, 'params');
    const image = resolveImage(ctx, id);
    return sendPicture(request, reply, await ctx.images.getDisplay(image.entry.id), image, 'd');
  });

  app.get('/api/images/:id/thumbnail', async (request, reply) => {
    const { id } = parseRequest(idParams, request.params, 'params');
    const image = resolveImage(ctx, id);
    return sendPicture(request, reply, await ctx.images.getThumbnail(image.entry.id), image, 't');
  });

  app.get('/api/images/:id/tiles/:level/:col/:row', async (request, reply) => {
    const { id, level, col, row } = parseRequest(tileParams, request.params, 'params');
    const image = resolveImage(ctx, id);
    const tile = await ctx.images.getTile(image.entry.id, level, col, row);
    return sendPicture(request, reply, tile, image, `${level}-${col}-${row}`);
  });
}
