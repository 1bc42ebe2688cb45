/**
 * Class names from an Ultralytics data.yaml: `names` as a list, or as a map from class id to
 * name (ids 0..n-1, as Ultralytics requires); `nc`, when given, must agree. Without `names`,
 * Ultralytics calls the classes class_0..class_{nc-1}, and so do we.
 */
import { ImportError } from '../import/errors.js';
import { readInputText } from '../import/read-input.js';
import { requireSomeNames, tidyNames, type ClassList } from './class-list.js';
import { parseEntry, splitTopLevel, type YamlNode } from './yaml-subset.js';

export async function readDataYaml(file: string): Promise<ClassList> {
  return parseDataYaml(await readInputText(file), file);
}

export function parseDataYaml(text: string, file: string): ClassList {
  const top = splitTopLevel(text, file);
  const namesEntry = top.get('names');
  const ncEntry = top.get('nc');
  let nc: number | null = null;
  if (ncEntry) {
    const node = parseEntry(ncEntry, file);
    if (
      node.kind !== 'scalar' ||
      !/^\d+$/.test(node.value) ||
      !Number.isSafeInteger(Number(node.value))
    ) {
      throw new ImportError(
        { file, line: ncEntry.line, field: 'nc' },
        'a whole number of classes',
        describe(node),
      );
    }
    nc = Number(node.value);
  }
  const repairs: string[] = [];
  let names: string[];
  let where: (i: number) => string;
  if (!namesEntry) {
    if (nc === null || nc === 0) {
      throw new ImportError({ file, field: 'names' }, 'a names list or map (or nc)', 'neither');
    }
    names = Array.from({ length: nc }, (_, i) => `class_${i}`);
    repairs.push(
      `no names: the ${nc} classes are called class_0..class_${nc - 1}, as Ultralytics does`,
    );
    where = (i) => `names[${i}]`;
  } else {
    const node = parseEntry(namesEntry, file);
    const lineOf = (n: YamlNode): number => n.line;
    if (node.kind === 'seq') {
      names = node.items.map((item, i) => scalarName(item, file, `names[${i}]`));
      where = (i) => `line ${lineOf(node.items[i]!)} names[${i}]`;
    } else if (node.kind === 'map') {
      const byId = new Map<number, YamlNode>();
      for (const [key, value] of node.entries) {
        const id = /^\d+$/.test(key) ? Number(key) : NaN;
        if (!Number.isSafeInteger(id)) {
          throw new ImportError(
            { file, line: value.line, field: `names.${key}` },
            'a whole-number class id as the key',
            JSON.stringify(key),
          );
        }
        if (byId.has(id)) {
          throw new ImportError(
            { file, line: value.line, field: `names.${key}` },
            'each class id once',
            `id ${id} twice`,
          );
        }
        byId.set(id, value);
      }
      names = [];
      for (let id = 0; id < byId.size; id++) {
        const value = byId.get(id);
        if (!value) {
          throw new ImportError(
            { file, line: namesEntry.line, field: 'names' },
            `class ids 0..${byId.size - 1} (Ultralytics requires them)`,
            `ids ${[...byId.keys()].sort((a, b) => a - b).join(', ')}`,
          );
        }
        names.push(scalarName(value, file, `names.${id}`));
      }
      where = (i) => `line ${byId.get(i)!.line} names.${i}`;
    } else {
      throw new ImportError(
        { file, line: namesEntry.line, field: 'names' },
        'a list or a map of class names',
        describe(node),
      );
    }
    if (nc !== null && nc !== names.length) {
      throw new ImportError(
        { file, line: ncEntry!.line, field: 'nc' },
        `nc to equal the number of names (${names.length})`,
        String(nc),
      );
    }
  }
  tidyNames(names, where, repairs);
  return requireSomeNames({ file, names, colors: names.map(() => null), repairs });
}

function scalarName(node: YamlNode, file: string, field: string): string {
  if (node.kind !== 'scalar') {
    throw new ImportError({ file, line: node.line, field }, 'a class name', describe(node));
  }
  return node.value;
}

function describe(node: YamlNode): string {
  return node.kind === 'scalar'
    ? JSON.stringify(node.value)
    : `a ${node.kind === 'seq' ? 'list' : 'map'}`;
}
