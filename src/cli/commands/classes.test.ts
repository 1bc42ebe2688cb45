import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLASS_PALETTE } from '../../store/index.js';
import { EXIT } from '../io.js';
import { annotate, photoDataset, projectSnapshot, run, tempRoot } from './project-test-support.js';

const root = tempRoot('sam-cli-classes-');
afterAll(() => root.cleanup());
let counter = 0;
const dataset = (): string => photoDataset(root.path, `photos-${++counter}`);
const exampleCsv = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../examples/classes.csv',
);

async function listed(dir: string): Promise<Record<string, unknown>[]> {
  const { code, out } = await run('classes', dir, 'list', '--json');
  expect(code).toBe(EXIT.ok);
  return JSON.parse(out);
}

describe('sam-annotator classes', () => {
  it('adds, renames, recolours and lists classes', async () => {
    const dir = dataset();
    expect(await listed(dir)).toEqual([]);
    expect((await run('classes', dir, 'list')).out).toContain('no classes');

    const cat = await run('classes', dir, 'add', 'cat', '--color', '#FF8800');
    expect(cat.code).toBe(EXIT.ok);
    expect(cat.out).toBe('added class "cat" (#ff8800, position 0)\n');
    expect((await run('classes', dir, 'add', 'dog')).code).toBe(EXIT.ok);
    const clash = await run('classes', dir, 'add', 'CAT');
    expect(clash.code).toBe(EXIT.usage);
    expect(clash.err).toContain('compared without regard to case');

    const renamed = await run('classes', dir, 'rename', 'Cat', 'feline');
    expect(renamed.out).toBe('renamed "cat" to "feline" (#ff8800, position 0)\n');
    const recolored = await run('classes', dir, 'recolor', 'dog', '#00aa00', '--json');
    expect(JSON.parse(recolored.out)).toMatchObject({ name: 'dog', color: '#00aa00' });

    expect(await listed(dir)).toEqual([
      {
        id: expect.any(Number),
        name: 'feline',
        color: '#ff8800',
        position: 0,
        objects: 0,
        images: 0,
      },
      { id: expect.any(Number), name: 'dog', color: '#00aa00', position: 1, objects: 0, images: 0 },
    ]);
    const text = await run('classes', dir, 'list');
    expect(text.out).toBe(
      '  0  feline  #ff8800  0 objects on 0 images\n  1  dog     #00aa00  0 objects on 0 images\n',
    );
  });

  it('names what is wrong: unknown class, bad colour, wrong words or options', async () => {
    const dir = dataset();
    await run('classes', dir, 'add', 'cat');
    const unknown = await run('classes', dir, 'rename', 'dog', 'hound');
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.err).toBe(
      'error: rename: no class named "dog" in the project (classes: "cat")\n',
    );
    const color = await run('classes', dir, 'recolor', 'cat', 'red');
    expect(color.code).toBe(EXIT.usage);
    expect(color.err).toContain('color must be a colour written "#rrggbb"');
    const action = await run('classes', dir, 'delete', 'cat');
    expect(action.code).toBe(EXIT.usage);
    expect(action.err).toContain('unknown action "delete"');
    const words = await run('classes', dir, 'rename', 'cat');
    expect(words.code).toBe(EXIT.usage);
    expect(words.err).toContain('classes DIR rename OLD NEW takes 2 argument(s)');
    const option = await run('classes', dir, 'rename', 'cat', 'kitty', '--color', '#000000');
    expect(option.code).toBe(EXIT.usage);
    expect(option.err).toContain('--color does not apply to "rename"');
    expect((await listed(dir)).map((c) => c.name)).toEqual(['cat']);
  });

  it('removes a class with objects only with --reassign-to, moving them', async () => {
    const dir = dataset();
    annotate(dir);
    const projectDir = path.join(dir, '.sam-annotator');
    const before = projectSnapshot(projectDir);
    const refused = await run('classes', dir, 'remove', 'coin');
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.err).toContain('class "coin" has 2 object(s): give --reassign-to NAME');
    expect(projectSnapshot(projectDir)).toEqual(before);

    const removed = await run('classes', dir, 'remove', 'coin', '--reassign-to', 'horse');
    expect(removed.code).toBe(EXIT.ok);
    expect(removed.out).toBe('removed class "coin"; 2 objects moved to "horse"\n');
    expect(await listed(dir)).toMatchObject([
      { name: 'horse', objects: 3, images: 2, position: 0 },
      { name: 'rocket', objects: 1, images: 1, position: 1 },
    ]);
    const empty = await run('classes', dir, 'add', 'unused');
    expect(empty.code).toBe(EXIT.ok);
    expect((await run('classes', dir, 'remove', 'unused')).code).toBe(EXIT.ok);
  });

  it('imports the example class list as it is', async () => {
    const dir = dataset();
    const { code, out } = await run('classes', dir, 'import', exampleCsv);
    expect(code).toBe(EXIT.ok);
    expect(out).toContain(
      `read 9 class names from ${exampleCsv}: 9 added, 0 already in the project`,
    );
    expect(out).toContain('the file needed no repairs');
    expect((await listed(dir)).map((c) => c.color)).toEqual(CLASS_PALETTE.slice(0, 9));
  });

  it('imports a CSV the seed tool would have refused, showing the repairs, never touching the file', async () => {
    const dir = dataset();
    await run('classes', dir, 'add', 'Dog', '--color', '#123456');
    const csv = path.join(root.path, `classes-${counter}.csv`);
    const bytes = Buffer.from(
      '\ufeffname,color\r\ncat,#f00\r\n\r\ndog,#00ff00\r\n bird ,\r\nCat,\r\n',
    );
    writeFileSync(csv, bytes);
    const repaired = path.join(root.path, `repaired-${counter}.csv`);
    const { code, out } = await run(
      'classes',
      dir,
      'import',
      csv,
      '--write-repaired',
      repaired,
      '--json',
    );
    expect(code).toBe(EXIT.ok);
    const summary = JSON.parse(out);
    expect(summary).toMatchObject({
      names: 4,
      added: [
        { name: 'cat', color: '#ff0000' },
        { name: 'bird', color: CLASS_PALETTE[0] },
      ],
      alreadyPresent: 1,
      repairedFile: repaired,
    });
    const repairs = summary.repairs.join('\n');
    expect(repairs).toContain('byte-order mark');
    expect(repairs).toContain('CRLF');
    expect(repairs).toContain('empty line');
    expect(repairs).toContain('column "name" read as class_name');
    expect(repairs).toContain('" bird " read as "bird"');
    expect(repairs).toContain('repeats "cat"');
    // The class that was there keeps its name and colour.
    expect(summary.classes.map((c: { name: string; color: string }) => [c.name, c.color])).toEqual([
      ['Dog', '#123456'],
      ['cat', '#ff0000'],
      ['bird', CLASS_PALETTE[0]],
    ]);
    expect(readFileSync(csv)).toEqual(bytes);
    expect(readFileSync(repaired, 'utf8')).toBe('class_name\ncat\ndog\nbird\nCat\n');

    const text = await run('classes', dir, 'import', csv);
    expect(text.out).toContain('0 added, 3 already in the project');
    expect(text.out).toContain('  repaired: a byte-order mark at the start was skipped');
  });

  it('never overwrites a file with --write-repaired, and then changes nothing', async () => {
    const dir = dataset();
    await run('classes', dir, 'add', 'cat');
    const projectDir = path.join(dir, '.sam-annotator');
    const before = projectSnapshot(projectDir);
    const csv = path.join(root.path, `user-${counter}.csv`);
    writeFileSync(csv, 'class_name\nzebra\n');
    const own = await run('classes', dir, 'import', csv, '--write-repaired', csv);
    expect(own.code).toBe(EXIT.usage);
    expect(own.err).toContain('existing files are never overwritten');
    expect(readFileSync(csv, 'utf8')).toBe('class_name\nzebra\n');
    expect(projectSnapshot(projectDir)).toEqual(before);
    const missing = await run('classes', dir, 'import', path.join(root.path, 'none.csv'));
    expect(missing.code).toBe(EXIT.usage);
    expect(existsSync(path.join(root.path, 'none.csv'))).toBe(false);
  });
});
