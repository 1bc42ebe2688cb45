import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryAnnotationSource, goldenSource, maskAt } from '../test-support.js';
import { useTempFolder } from './export-test-support.js';
import { classesCsv, exportSeed } from './index.js';

describe('classesCsv', () => {
  it('writes the class_name column with pandas to_csv quoting', () => {
    const classes = ['plain', 'a, b', 'say "hi"', ''].map((name, i) => ({
      id: i + 1,
      name,
      color: '#000000',
      position: i,
    }));
    expect(classesCsv(classes)).toBe('class_name\nplain\n"a, b"\n"say ""hi"""\n""\n');
  });
});

describe('exportSeed', () => {
  const folder = useTempFolder('seed-export-');

  it('writes labels/<stem>.txt with 0-based class rows and six-decimal coordinates', async () => {
    const dest = path.join(folder(), 'seed');
    const result = await exportSeed(goldenSource(), dest);
    expect(result).toMatchObject({ format: 'seed', images: 3, objects: 4, files: 4 });
    expect(await readFile(path.join(dest, 'classes.csv'), 'utf8')).toBe(
      'class_name\ncat\ndog\n"bird, small"\n',
    );
    const dogs = await readFile(path.join(dest, 'labels', 'dogs', '001.txt'), 'utf8');
    // dog (row 1) first, then cat (row 0); x = 1 of 128 is the tie 0.0078125 -> "0.007812".
    expect(dogs).toBe(
      '1 0.007812 0.100000 0.046875 0.100000 0.046875 0.400000 0.000000 0.400000 0.000000 0.200000 0.007812 0.200000\n' +
        '0 0.007812 0.200000 0.046875 0.200000 0.046875 0.500000 0.007812 0.500000\n',
    );
    expect(await readFile(path.join(dest, 'labels', 'empty.txt'), 'utf8')).toBe('');
  });

  it('warns about class names pandas would read as missing values', async () => {
    const source = new MemoryAnnotationSource();
    const c = source.addClass('NA');
    const image = source.addImage('x.png', 4, 4);
    source.addObject(image.id, c.id, maskAt(4, 4, 0, 0, '##'));
    const result = await exportSeed(source, path.join(folder(), 'na'));
    expect(result.warnings).toEqual([
      expect.stringMatching(/"NA": pandas reads this name as a missing value/),
    ]);
  });
});
