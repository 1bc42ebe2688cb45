/** Plain-text class lists (classes.txt, obj.names): one name per line, # comments. */
import { readInputText, splitLines } from '../import/read-input.js';
import { tidyNames, requireSomeNames, type ClassList } from './class-list.js';

export async function readClassText(file: string): Promise<ClassList> {
  return parseClassText(await readInputText(file), file);
}

export function parseClassText(text: string, file: string): ClassList {
  const names: string[] = [];
  const lines: number[] = [];
  let skipped = 0;
  splitLines(text).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) skipped++;
    else {
      names.push(line);
      lines.push(i + 1);
    }
  });
  const repairs: string[] = [];
  if (skipped) repairs.push(`${skipped} blank or comment line${skipped > 1 ? 's' : ''} skipped`);
  tidyNames(names, (i) => `line ${lines[i]}`, repairs);
  return requireSomeNames({ file, names, colors: names.map(() => null), repairs });
}
