import type { FastifyInstance } from 'fastify';
import type { Prompt } from '../../model/segmenter.js';
import type { PredictResponse } from '../api-contract.js';
import { candidateDto } from '../dto.js';
import { badRequest } from '../http-error.js';
import { parsePredictBody } from '../predict-body.js';
import { idParams } from '../schemas.js';
import type { ServerContext } from '../server-context.js';
import { parseRequest } from '../validation.js';

/** Points and boxes must lie on the image (original pixels, continuous, edges included). */
function checkOnImage(prompt: Prompt, width: number, height: number): void {
  const outside = (x: number, y: number) => x < 0 || y < 0 || x > width || y > height;
  prompt.points.forEach((p, i) => {
    if (outside(p.x, p.y)) {
      throw badRequest(
        `body.points[${i}] (${p.x}, ${p.y}) lies outside the ${width}x${height} image`,
        `body.points[${i}]`,
      );
    }
  });
  const box = prompt.box;
  if (box && (outside(box.x0, box.y0) || outside(box.x1, box.y1))) {
    throw badRequest(`body.box lies outside the ${width}x${height} image`, 'body.box');
  }
}

export function registerPredictRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/images/:id/predict', async (request, reply): Promise<PredictResponse> => {
    const started = performance.now();
    const { id } = parseRequest(idParams, request.params, 'params');
    const body = parsePredictBody(request.body, ctx.options.maxPoints);
    const indexId = ctx.imageIndexIds.get(id);
    const header = await ctx.index.metadata(indexId);
    const prompt: Prompt = {
      points: body.points,
      ...(body.box ? { box: body.box } : {}),
      ...(body.refineToken ? { maskInput: ctx.refineTokens.take(id, body.refineToken) } : {}),
    };
    checkOnImage(prompt, header.width, header.height);
    // A page that gave up on this answer (a newer hover) frees the engine from it.
    const abort = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const result = await ctx.engine.predict(indexId, prompt, abort.signal);
    ctx.modelStatus.succeeded();
    const elapsedMs = performance.now() - started;
    // Recorded once the answer is on its way: a histogram update on this path cost ~25 µs once
    // the decoder's run had evicted prom-client from the CPU caches.
    setImmediate(() => {
      ctx.metrics.predictDuration.observe({ cached: String(result.cached) }, elapsedMs / 1000);
    });
    return {
      candidates: result.candidates.map((candidate) =>
        candidateDto(
          candidate,
          candidate.lowRes ? ctx.refineTokens.issue(id, candidate.lowRes) : null,
        ),
      ),
      elapsedMs,
      cached: result.cached,
    };
  });
}
