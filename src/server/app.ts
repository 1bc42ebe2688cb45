import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { isLoopbackHost, registerAccessControl } from './auth.js';
import { registerErrorHandler } from './error-handler.js';
import { EventHub } from './event-hub.js';
import { ExportJobs } from './export-jobs.js';
import { badRequest } from './http-error.js';
import { ImageIndexIds } from './image-lookup.js';
import { ServerMetrics } from './metrics.js';
import { ModelStatus } from './model-status.js';
import { RefineTokens } from './refine-tokens.js';
import { registerClassRoutes } from './routes/classes.js';
import { registerEventRoutes } from './routes/events.js';
import { registerExportRoutes } from './routes/exports.js';
import { registerImageRoutes } from './routes/images.js';
import { registerObjectRoutes } from './routes/objects.js';
import { registerPredictRoutes } from './routes/predict.js';
import { registerStatusRoutes } from './routes/status.js';
import type { ServerContext, ServerDeps, ServerOptions } from './server-context.js';
import { startStatusPublisher } from './status-publisher.js';

export const DEFAULT_SERVER_OPTIONS: Omit<ServerOptions, 'host' | 'token'> = {
  maxPoints: 64,
  bodyLimit: 4 * 1024 * 1024,
  statusIntervalMs: 1000,
};

export interface AnnotationServer {
  app: FastifyInstance;
  context: ServerContext;
  /** Stops timers and event streams; the caller closes the layers below. */
  close(): Promise<void>;
}

/**
 * The Fastify app over open layers. It holds no business logic: routes validate, call the store
 * or the engine, and shape the answer. Binding is the caller's (app.listen).
 */
export async function buildServer(
  deps: ServerDeps,
  options: Partial<ServerOptions> & Pick<ServerOptions, 'host' | 'token'>,
): Promise<AnnotationServer> {
  const settings: ServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...options };
  if (!isLoopbackHost(settings.host) && !settings.token) {
    throw new Error(
      `Serving on ${settings.host} (beyond this machine) needs --token: anyone who can reach the port could read and change the project.`,
    );
  }
  const app = Fastify({
    logger: false,
    bodyLimit: settings.bodyLimit,
    // Paths such as /api/images/:id//display are not silently merged.
    routerOptions: { ignoreDuplicateSlashes: false, maxParamLength: 200 },
  });
  const hub = new EventHub();
  const metrics = new ServerMetrics({
    memory: () => deps.memory.status(),
    memoryCounters: () => deps.memory.metrics(),
    engine: () => deps.engine.stats(),
    caches: () => deps.images.caches().map((cache) => cache.stats()),
  });
  const context: ServerContext = {
    ...deps,
    options: settings,
    hub,
    metrics,
    refineTokens: new RefineTokens(),
    imageIndexIds: new ImageIndexIds(deps),
    modelStatus: new ModelStatus(hub),
    exports: new ExportJobs({ ...deps, hub }),
  };

  registerErrorHandler(app, deps.logger);
  // Without a token, loopback binds accept loopback Host names only (DNS rebinding).
  registerAccessControl(app, {
    token: settings.token,
    allowedHosts:
      settings.token === null ? new Set(['localhost', '127.0.0.1', '::1', settings.host]) : null,
  });
  // Callback hooks on every request: an async hook costs a promise and a microtask each time.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
  // JSON bodies only: a form post from another site cannot reach a handler.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: settings.bodyLimit },
    (_request, body, done) => {
      if (body === '') return done(null, undefined);
      try {
        done(null, JSON.parse(body as string));
      } catch (err) {
        done(
          badRequest(`The body is not valid JSON: ${(err as Error).message}`, 'body'),
          undefined,
        );
      }
    },
  );

  registerStatusRoutes(app, context);
  registerImageRoutes(app, context);
  registerPredictRoutes(app, context);
  registerObjectRoutes(app, context);
  registerClassRoutes(app, context);
  registerExportRoutes(app, context);
  registerEventRoutes(app, context);
  if (deps.webRoot && existsSync(deps.webRoot)) {
    await app.register(fastifyStatic, {
      root: deps.webRoot,
      prefix: '/',
      index: ['index.html'],
      cacheControl: false,
      setHeaders: (res, file) => {
        // Hashed asset names can be cached for good; the page itself is always revalidated.
        void res.header(
          'cache-control',
          /[\\/]assets[\\/]/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  }

  const stopPublisher = startStatusPublisher(context, settings.statusIntervalMs);
  return {
    app,
    context,
    async close() {
      stopPublisher();
      hub.close();
      await app.close();
      await context.exports.whenIdle();
    },
  };
}
