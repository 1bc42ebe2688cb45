/**
 * JSON class lists: ["cat", "dog"], [{"name": "cat", "color": "#ff0000"}, ...], or either of
 * those under {"classes": [...]}. Order = class id.
 */
import { ImportError, describeValue } from '../import/errors.js';
import { readInputText } from '../import/read-input.js';
import { tidyNames, parseColor, requireSomeNames, type ClassList } from './class-list.js';

export async function readClassJson(file: string): Promise<ClassList> {
  return parseClassJson(await readInputText(file), file);
}

export function parseClassJson(text: string, file: string): ClassList {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ImportError({ file }, 'valid JSON', (err as Error).message, { cause: err });
  }
  let base = '';
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'classes' in value) {
    value = (value as { classes: unknown }).classes;
    base = 'classes';
  }
  if (!Array.isArray(value)) {
    throw new ImportError(
      { file, ...(base ? { field: base } : {}) },
      'a list of class names, a list of {name, color}, or {"classes": [...]}',
      describeValue(value),
    );
  }
  const names: string[] = [];
  const colors: (string | null)[] = [];
  value.forEach((entry: unknown, i) => {
    const field = `${base}[${i}]`;
    if (typeof entry === 'string') {
      names.push(entry);
      colors.push(null);
      return;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new ImportError({ file, field }, 'a class name or {name, color}', describeValue(entry));
    }
    const { name, color } = entry as { name?: unknown; color?: unknown };
    if (typeof name !== 'string') {
      throw new ImportError({ file, field: `${field}.name` }, 'a string', describeValue(name));
    }
    names.push(name);
    colors.push(
      color === undefined || color === null ? null : parseColor(color, file, `${field}.color`),
    );
  });
  const repairs: string[] = [];
  tidyNames(names, (i) => `${base}[${i}]`, repairs);
  return requireSomeNames({ file, names, colors, repairs });
}
