import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportError } from '../import/errors.js';
import { parseClassJson } from './class-json.js';
import { parseClassText } from './class-text.js';
import { parseDataYaml } from './data-yaml.js';
import { readClassList } from './read-class-list.js';

function failure(run: () => unknown): ImportError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ImportError);
    return err as ImportError;
  }
  throw new Error('no error');
}

describe('JSON class lists', () => {
  it('reads the three shapes', () => {
    expect(parseClassJson('["a", "b"]', 'c.json').names).toEqual(['a', 'b']);
    const objects = parseClassJson('{"classes": [{"name": "a", "color": "#ABC"}, "b"]}', 'c.json');
    expect(objects.names).toEqual(['a', 'b']);
    expect(objects.colors).toEqual(['#aabbcc', null]);
  });

  it('names the field of bad entries', () => {
    expect(failure(() => parseClassJson('{"classes": [{"name": 3}]}', 'c.json')).field).toBe(
      'classes[0].name',
    );
    expect(failure(() => parseClassJson('[{"name": "a", "color": "red"}]', 'c.json')).field).toBe(
      '[0].color',
    );
    expect(failure(() => parseClassJson('{"names": []}', 'c.json')).message).toMatch(
      /a list of class names/,
    );
    expect(failure(() => parseClassJson('[]', 'c.json')).message).toMatch(
      /at least one class name/,
    );
  });
});

describe('text class lists', () => {
  it('skips comments and blank lines and reports duplicates', () => {
    const list = parseClassText('\ufeff# classes\ncat\r\n\nCAT\ndog\n', 'classes.txt');
    expect(list.names).toEqual(['cat', 'CAT', 'dog']);
    expect(list.repairs).toEqual([
      '2 blank or comment lines skipped',
      'line 4: class "CAT" (id 1) repeats "cat" (id 0, line 2); both ids mean one class',
    ]);
  });
});

describe('data.yaml names', () => {
  it('reads lists and maps in flow and block style', () => {
    const forms = [
      'names: [\'person\', "bi cycle", car]',
      'names: [person,\n  bi cycle, car]  # wrapped',
      'names:\n  - person\n  - bi cycle\n  - "car"',
      'names:\n- person\n- bi cycle\n- car',
      'names:\n  0: person\n  2: car\n  1: bi cycle',
      "names: {0: person, 1: 'bi cycle', 2: car}",
    ];
    for (const form of forms) {
      const text = `# Ultralytics\npath: ../datasets/x\ntrain: images/train\ndownload: |\n  import os\n  print(1)\nnc: 3\n${form}\n`;
      expect(parseDataYaml(text, 'data.yaml').names, form).toEqual(['person', 'bi cycle', 'car']);
    }
  });

  it('names Ultralytics style classes from nc alone, and checks nc, ids and syntax', () => {
    expect(parseDataYaml('nc: 2\n', 'd.yaml').names).toEqual(['class_0', 'class_1']);
    expect(failure(() => parseDataYaml('nc: 3\nnames: [a, b]\n', 'd.yaml')).message).toMatch(
      /d.yaml:1 nc: expected nc to equal the number of names \(2\), got 3/,
    );
    expect(failure(() => parseDataYaml('names:\n  0: a\n  2: b\n', 'd.yaml')).message).toMatch(
      /class ids 0..1 .* got ids 0, 2/,
    );
    expect(failure(() => parseDataYaml('names: [a, b\n', 'd.yaml')).message).toMatch(
      /d.yaml:1: expected ',' or '\]'/,
    );
    expect(failure(() => parseDataYaml('names:\n\t- a\n', 'd.yaml')).message).toMatch(
      /d.yaml:2: expected indentation with spaces/,
    );
    expect(failure(() => parseDataYaml('names: &x [a]\n', 'd.yaml')).message).toMatch(
      /anchors, aliases/,
    );
    expect(failure(() => parseDataYaml('train: x\n', 'd.yaml')).message).toMatch(
      /names list or map \(or nc\)/,
    );
  });
});

describe('readClassList', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sam-classlist-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('picks the reader by extension and refuses others', async () => {
    const files: [string, string][] = [
      ['a.csv', 'class_name\nx\n'],
      ['a.json', '["x"]'],
      ['a.names', 'x\n'],
      ['a.yml', 'names: [x]\n'],
    ];
    for (const [name, text] of files) {
      await writeFile(path.join(dir, name), text);
      expect((await readClassList(path.join(dir, name))).names).toEqual(['x']);
    }
    await expect(readClassList(path.join(dir, 'a.xlsx'))).rejects.toThrow(
      /a class list ending in .csv/,
    );
    await expect(readClassList(path.join(dir, 'missing.csv'))).rejects.toThrow(
      /missing.csv: expected a readable file, got no such file/,
    );
  });
});
