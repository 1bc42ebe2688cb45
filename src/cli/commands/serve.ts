import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import { ModelRegistryError } from '../../model/registry/index.js';
import { buildServer, DEFAULT_SERVER_OPTIONS } from '../../server/app.js';
import { openAnnotationSession } from '../annotation-session.js';
import { commandContext, PROJECT_DIR_NAME, type GlobalOptions } from '../context.js';
import { EXIT, processIO, type CliIO } from '../io.js';

interface ServeOptions {
  classes?: string;
  model?: string;
  project?: string;
  port: number;
  host: string;
  token?: string;
  open?: boolean;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`expected a port number 0..65535, got "${text}".`);
  }
  return port;
}

/** The built page: dist/web beside dist/cli. */
function webRoot(): string | null {
  const dir = fileURLToPath(new URL('../../web/', import.meta.url));
  return existsSync(`${dir}index.html`) ? dir : null;
}

function openBrowser(url: string): void {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => {});
  child.unref();
}

/** Resolves on SIGINT / SIGTERM (the process's own CLI) or never (tests stop the server). */
function untilInterrupted(io: CliIO): Promise<string> {
  if (io !== processIO) return new Promise(() => {});
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export function registerServeCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command('serve')
    .description('serve the annotation page and API for a dataset folder')
    .argument('[dataset]', 'dataset folder', '.')
    .option('--classes <file>', 'class list to add (CSV with class_name, JSON or text)')
    .option(
      '--model <model>',
      'model name, folder or encoder file (default: the embedded segmenter)',
    )
    .option('--project <dir>', `project folder (default: <dataset>/${PROJECT_DIR_NAME})`)
    .option('--port <port>', 'port (0 picks a free one)', parsePort, 7860)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--token <token>', 'required on every request; mandatory beyond 127.0.0.1')
    .option('--open', 'open the page in a browser')
    .action(async (dataset: string, options: ServeOptions, command: Command) => {
      const { config, logger } = commandContext(
        io,
        command.optsWithGlobals<GlobalOptions>(),
        dataset,
      );
      let session;
      try {
        session = await openAnnotationSession({
          datasetDir: dataset,
          projectDir: options.project,
          model: options.model,
          classesFile: options.classes,
          config,
          logger,
          version: program.version() ?? '0.0.0',
          webRoot: webRoot(),
        });
      } catch (err) {
        if (err instanceof ModelRegistryError || (err as Error).name === 'ImportError') {
          io.err(`error: ${(err as Error).message}`);
          setExit(EXIT.usage);
          return;
        }
        throw err;
      }
      for (const note of session.classNotes) io.err(`classes: ${note}`);
      let server;
      try {
        server = await buildServer(session.deps, {
          host: options.host,
          token: options.token ?? null,
          ...DEFAULT_SERVER_OPTIONS,
        });
        await server.app.listen({ host: options.host, port: options.port });
      } catch (err) {
        await server?.close();
        await session.close();
        io.err(`error: ${(err as Error).message}`);
        setExit(EXIT.usage);
        return;
      }
      const address = server.app.server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      const url = `http://${host}:${port}/${options.token ? `?token=${encodeURIComponent(options.token)}` : ''}`;
      const { model, index } = session.deps;
      io.out(`SAM Annotator: ${index.size} images in ${session.deps.datasetDir}`);
      io.out(`model: ${model.label}${model.notice ? `\n  ${model.notice}` : ''}`);
      if (!session.deps.webRoot)
        io.out('the page is not built (npm run build): serving the API only');
      io.out(`open ${url}`);
      if (options.open) openBrowser(url);
      const signal = await untilInterrupted(io);
      io.err(`${signal}: saving and stopping`);
      await server.close();
      await session.close();
      setExit(EXIT.ok);
    });
}
