import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { readClassList, writeClassCsv } from '../../formats/index.js';
import {
  ClassInUseError,
  StoreError,
  type ClassRecord,
  type ProjectStore,
} from '../../store/index.js';
import { PROJECT_DIR_NAME } from '../context.js';
import { EXIT, printJson, type CliIO } from '../io.js';
import { count, runProjectCommand, type ProjectCommandContext } from './project-command.js';

interface ClassesOptions {
  color?: string;
  reassignTo?: string;
  writeRepaired?: string;
  project?: string;
  json?: boolean;
}

type Action = (
  ctx: ProjectCommandContext,
  args: string[],
  options: ClassesOptions,
) => Promise<number>;

interface ActionSpec {
  /** Argument names after the action word, for usage messages. */
  args: string[];
  /** Action-specific options it accepts (by their flag). */
  options: (keyof ClassesOptions)[];
  run: Action;
}

const FLAGS: Partial<Record<keyof ClassesOptions, string>> = {
  color: '--color',
  reassignTo: '--reassign-to',
  writeRepaired: '--write-repaired',
};

/** The class of that name (case-insensitive), or a not-found error listing the classes. */
function classNamed(store: ProjectStore, name: string, what: string): ClassRecord {
  const found = store.classes.findByName(name);
  if (found) return found;
  const names = store.classes.list().map((c) => JSON.stringify(c.name));
  throw new StoreError(
    `${what}: no class named ${JSON.stringify(name)} in the project (classes: ${names.join(', ') || 'none'})`,
    'not-found',
    'name',
    name,
  );
}

function classLabel(c: ClassRecord): string {
  return `${JSON.stringify(c.name)} (${c.color}, position ${c.position})`;
}

async function list(ctx: ProjectCommandContext, _args: string[], options: ClassesOptions) {
  // Object counts come with the statistics; polygon vertices are not counted for them.
  const counted = ctx.store.stats({ vertexSample: 0 }).classes;
  const classes = counted.map((c) => ({
    id: c.id,
    name: c.name,
    color: c.color,
    position: c.index,
    objects: c.objects,
    images: c.images,
  }));
  if (options.json) printJson(ctx.io, classes);
  else if (classes.length === 0) ctx.io.out('no classes (add one with: classes DIR add NAME)');
  else {
    const width = Math.max(...classes.map((c) => c.name.length));
    for (const c of classes) {
      ctx.io.out(
        `${String(c.position).padStart(3)}  ${c.name.padEnd(width)}  ${c.color}  ` +
          `${count(c.objects, 'object')} on ${count(c.images, 'image')}`,
      );
    }
  }
  return EXIT.ok;
}

async function add(ctx: ProjectCommandContext, [name]: string[], options: ClassesOptions) {
  const created = ctx.store.classes.add(name!, options.color);
  report(ctx, options, created, `added class ${classLabel(created)}`);
  return EXIT.ok;
}

async function rename(ctx: ProjectCommandContext, [from, to]: string[], options: ClassesOptions) {
  const current = classNamed(ctx.store, from!, 'rename');
  const renamed = ctx.store.classes.rename(current.id, to!);
  report(
    ctx,
    options,
    renamed,
    `renamed ${JSON.stringify(current.name)} to ${classLabel(renamed)}`,
  );
  return EXIT.ok;
}

async function recolor(
  ctx: ProjectCommandContext,
  [name, color]: string[],
  options: ClassesOptions,
) {
  const current = classNamed(ctx.store, name!, 'recolor');
  const changed = ctx.store.classes.recolor(current.id, color!);
  report(ctx, options, changed, `recoloured ${classLabel(changed)} (was ${current.color})`);
  return EXIT.ok;
}

async function remove(ctx: ProjectCommandContext, [name]: string[], options: ClassesOptions) {
  const doomed = classNamed(ctx.store, name!, 'remove');
  const target =
    options.reassignTo === undefined
      ? undefined
      : classNamed(ctx.store, options.reassignTo, '--reassign-to');
  let result;
  try {
    result = ctx.store.classes.delete(doomed.id, { reassignTo: target?.id });
  } catch (err) {
    if (!(err instanceof ClassInUseError)) throw err;
    ctx.io.err(
      `error: class ${JSON.stringify(doomed.name)} has ${err.objectCount} object(s): ` +
        'give --reassign-to NAME to move them to another class (nothing was removed)',
    );
    return EXIT.usage;
  }
  const moved = target
    ? `; ${count(result.reassigned, 'object')} moved to ${JSON.stringify(target.name)}`
    : '';
  const history = result.historyCleared
    ? `; undo history cleared on ${result.historyCleared} images that held it`
    : '';
  report(
    ctx,
    options,
    { removed: doomed, ...result },
    `removed class ${JSON.stringify(doomed.name)}${moved}${history}`,
  );
  return EXIT.ok;
}

/**
 * Adds the names of a class list (the seed's CSV, JSON, text or data.yaml) that are not classes
 * yet, with the file's colours for the new ones, in one transaction. Repairs made while reading
 * are shown; the user's file is never rewritten: --write-repaired puts the repaired list at a
 * new path (refused if anything is there).
 */
async function importList(ctx: ProjectCommandContext, [file]: string[], options: ClassesOptions) {
  const read = await readClassList(file!);
  const repaired = options.writeRepaired ? path.resolve(options.writeRepaired) : null;
  if (repaired) await writeClassCsv(read.names, repaired);
  let outcome: { added: ClassRecord[]; existing: number };
  try {
    // A new class takes the file's colour (the first one its name is given with), the others
    // the palette colours still free.
    const { classes, added } = ctx.store.classes.addMany(read.names, read.colors);
    const addedIds = new Set(added.map((c) => c.id));
    const existing = new Set(classes.filter((c) => !addedIds.has(c.id)).map((c) => c.id));
    outcome = { added, existing: existing.size };
  } catch (err) {
    // The repaired copy goes with the import it belongs to.
    if (repaired) await rm(repaired, { force: true });
    throw err;
  }
  const summary = {
    file: path.resolve(file!),
    names: read.names.length,
    added: outcome.added,
    alreadyPresent: outcome.existing,
    repairs: read.repairs,
    repairedFile: repaired,
    classes: ctx.store.classes.list(),
  };
  if (options.json) printJson(ctx.io, summary);
  else {
    ctx.io.out(
      `read ${summary.names} class names from ${summary.file}: ${summary.added.length} added, ` +
        `${summary.alreadyPresent} already in the project`,
    );
    for (const c of summary.added) ctx.io.out(`  added ${classLabel(c)}`);
    if (read.repairs.length === 0) ctx.io.out('  the file needed no repairs');
    for (const repair of read.repairs) ctx.io.out(`  repaired: ${repair}`);
    if (repaired) ctx.io.out(`  repaired list written to ${repaired} (${file} is unchanged)`);
  }
  return EXIT.ok;
}

function report(ctx: ProjectCommandContext, options: ClassesOptions, value: unknown, line: string) {
  if (options.json) printJson(ctx.io, value);
  else ctx.io.out(line);
}

const ACTIONS: Record<string, ActionSpec> = {
  list: { args: [], options: [], run: list },
  add: { args: ['NAME'], options: ['color'], run: add },
  rename: { args: ['OLD', 'NEW'], options: [], run: rename },
  recolor: { args: ['NAME', 'COLOR'], options: [], run: recolor },
  remove: { args: ['NAME'], options: ['reassignTo'], run: remove },
  import: { args: ['FILE'], options: ['writeRepaired'], run: importList },
};

/** Why the words and options do not fit the action; null when they do. */
function usageProblem(action: string, args: string[], options: ClassesOptions): string | null {
  const spec = ACTIONS[action];
  if (!spec) {
    return `unknown action ${JSON.stringify(action)}: use ${Object.keys(ACTIONS).join(', ')}`;
  }
  const usage = `classes DIR ${[action, ...spec.args].join(' ')}`;
  if (args.length !== spec.args.length) {
    return `${usage} takes ${spec.args.length || 'no'} argument(s) after "${action}", got ${args.length}`;
  }
  const misplaced = (Object.keys(FLAGS) as (keyof ClassesOptions)[]).filter(
    (key) => options[key] !== undefined && !spec.options.includes(key),
  );
  if (misplaced.length > 0) {
    return `${misplaced.map((key) => FLAGS[key]).join(', ')} does not apply to "${action}"`;
  }
  return null;
}

/**
 * `classes DIR list|add|rename|recolor|remove|import ...`: the project's object classes.
 * Names are compared without regard to case.
 */
export function registerClassesCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command('classes')
    .description(
      "list or change the project's classes: list | add NAME [--color #rrggbb] | rename OLD NEW | " +
        'recolor NAME COLOR | remove NAME [--reassign-to NAME] | import FILE [--write-repaired OUT]',
    )
    .argument('<dir>', 'dataset folder')
    .argument('<action>', Object.keys(ACTIONS).join(', '))
    .argument('[args...]', 'names, colours or a file, as the action needs')
    .option('--color <color>', 'add: colour "#rrggbb" (default: the next palette colour)')
    .option('--reassign-to <name>', 'remove: the class that takes over the objects')
    .option('--write-repaired <file>', 'import: write the repaired list as CSV to a new file')
    .option('--project <dir>', `project folder (default: <dir>/${PROJECT_DIR_NAME})`)
    .option('--json', 'machine-readable output')
    .action(
      async (
        dir: string,
        action: string,
        args: string[],
        options: ClassesOptions,
        command: Command,
      ) => {
        const problem = usageProblem(action, args, options);
        if (problem) {
          io.err(`error: ${problem}`);
          setExit(EXIT.usage);
          return;
        }
        await runProjectCommand(io, setExit, command, dir, options.project, (ctx) =>
          ACTIONS[action]!.run(ctx, args, options),
        );
      },
    );
}
