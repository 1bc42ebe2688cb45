import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportError } from '../import/errors.js';
import { parseClassCsv, readClassCsv, writeClassCsv } from './class-csv.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sam-classes-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('class CSV', () => {
  it("reads the seed tool's own file as it is", () => {
    const list = parseClassCsv('class_name\nbackground\nobject\nperson\n', 'c.csv');
    expect(list.names).toEqual(['background', 'object', 'person']);
    expect(list.repairs).toEqual([]);
  });

  it('accepts the columns the seed offers to rename, picking them in its order', () => {
    for (const column of ['className', 'name', 'class', 'category', 'label']) {
      const list = parseClassCsv(`id,${column}\n0,cat\n1,dog\n`, 'c.csv');
      expect(list.names).toEqual(['cat', 'dog']);
      expect(list.repairs).toEqual([
        `column "${column}" read as class_name (as the seed tool offers to rename it)`,
      ]);
    }
    expect(parseClassCsv('label,name\nx,cat\n', 'c.csv').names).toEqual(['cat']);
    expect(parseClassCsv('Class Name\ncat\n', 'c.csv').repairs).toEqual([
      'column "Class Name" read as class_name',
    ]);
  });

  it('reads header-less one-column files without losing the first class', () => {
    const list = parseClassCsv('person\ncar\n', 'c.csv');
    expect(list.names).toEqual(['person', 'car']);
    expect(list.repairs[0]).toMatch(
      /no header row: the first line "person" is read as a class name/,
    );
  });

  it('handles quotes, CRLF, blank and comment lines, and keeps ids while reporting duplicates', () => {
    const text =
      'class_name,color\r\n"bird, small",#F00\r\n\r\n# a comment\r\n"say ""hi""",\r\n Car \r\ncar,#00ff00\r\n,\r\n"two\nlines"\r\n';
    const list = parseClassCsv(text, 'c.csv');
    expect(list.names).toEqual(['bird, small', 'say "hi"', 'Car', 'car', 'class_4', 'two lines']);
    expect(list.colors).toEqual(['#ff0000', null, null, '#00ff00', null, null]);
    expect(list.repairs).toEqual([
      'Windows line ends (CRLF) read as line ends',
      '1 empty line skipped',
      '1 comment line (starting with #) skipped',
      '2 rows have a different number of fields than the header',
      'line 6: class name " Car " read as "Car"',
      'line 7: class "car" (id 3) repeats "Car" (id 2, line 6); both ids mean one class',
      'line 8: empty class name; class 4 is called class_4',
      'line 9: class name "two\\nlines" read as "two lines"',
    ]);
  });

  it('names the line of broken CSV and refuses files without a usable column', () => {
    const fail = (text: string): ImportError => {
      try {
        parseClassCsv(text, 'c.csv');
      } catch (err) {
        expect(err).toBeInstanceOf(ImportError);
        return err as ImportError;
      }
      throw new Error('parsed');
    };
    expect(fail('class_name\n"open\nstill open').message).toMatch(
      /c.csv:2: expected a closing quote/,
    );
    expect(fail('class_name\n"a"b\n').message).toMatch(
      /c.csv:2: expected ',' or the end of the line after a closing quote, got "b"/,
    );
    expect(fail('id,colour_code\n1,2\n').message).toMatch(
      /header row with a class_name column .* got columns "id", "colour_code"/,
    );
    expect(fail('\n\n').message).toMatch(/at least one class name/);
    expect(fail('class_name,color\ncat,red\n').field).toBe('line 2 color');
  });

  it('reads a BOM from disk and writes the repaired list to a new path only', async () => {
    const original = path.join(dir, 'mine.csv');
    await writeFile(original, '\ufeffname\r\ncat\r\n"a, b"\r\n');
    const list = await readClassCsv(original);
    expect(list.repairs[0]).toBe('a byte-order mark at the start was skipped');
    const fixed = path.join(dir, 'fixed.csv');
    await writeClassCsv(list.names, fixed);
    expect(await readFile(fixed, 'utf8')).toBe('class_name\ncat\n"a, b"\n');
    expect((await readClassCsv(fixed)).repairs).toEqual([]);
    await expect(writeClassCsv(['x'], original)).rejects.toThrow(/never overwritten/);
    await expect(writeClassCsv(['x'], fixed)).rejects.toBeInstanceOf(ImportError);
    expect(await readFile(original, 'utf8')).toBe('\ufeffname\r\ncat\r\n"a, b"\r\n');
  });
});
