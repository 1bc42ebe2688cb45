/**
 * The seed tool's class CSV: a `class_name` column, one class per row, row order = class id.
 * Files the seed tool would have offered to fix are read and the fix reported instead: other
 * column names, no header, one column, a byte-order mark, CRLF, blank and comment lines. The
 * user's file is never rewritten; writeClassCsv puts a repaired copy at a new path.
 */
import { link, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ImportError } from '../import/errors.js';
import { decodeUtf8, readInputBytes, MAX_TEXT_BYTES } from '../import/read-input.js';
import { tidyNames, parseColor, requireSomeNames, type ClassList } from './class-list.js';
import { parseCsv, type CsvRecord } from './csv.js';

export const CLASS_COLUMN = 'class_name';
/** The seed tool's accepted stand-ins for class_name, in the order it tries them. */
export const SEED_ALTERNATIVE_COLUMNS = ['className', 'name', 'class', 'category', 'label'];
/** First cells that mark a header row in a one-column file (compared without case, _ or space). */
const HEADER_WORDS = new Set(
  [
    CLASS_COLUMN,
    ...SEED_ALTERNATIVE_COLUMNS,
    'classes',
    'class names',
    'names',
    'categories',
    'labels',
  ].map(headerKey),
);

function headerKey(cell: string): string {
  return cell
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
}

export async function readClassCsv(file: string): Promise<ClassList> {
  const bytes = await readInputBytes(file, MAX_TEXT_BYTES);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const list = parseClassCsv(decodeUtf8(bytes, file), file);
  if (bom) list.repairs.unshift('a byte-order mark at the start was skipped');
  return list;
}

export function parseClassCsv(text: string, file: string): ClassList {
  const repairs: string[] = [];
  if (text.includes('\r\n')) repairs.push('Windows line ends (CRLF) read as line ends');
  let blank = 0;
  let comments = 0;
  const rows: CsvRecord[] = [];
  for (const record of parseCsv(text, file)) {
    // Only empty lines are skipped (as pandas does): ",," is a row, and its position is a class id.
    if (record.fields.length === 1 && record.fields[0]!.trim() === '') blank++;
    else if (record.fields[0]!.trimStart().startsWith('#')) comments++;
    else rows.push(record);
  }
  if (blank) repairs.push(`${blank} empty line${blank > 1 ? 's' : ''} skipped`);
  if (comments)
    repairs.push(`${comments} comment line${comments > 1 ? 's' : ''} (starting with #) skipped`);
  if (rows.length === 0) throw new ImportError({ file }, 'at least one class name', 'no rows');

  const header = rows[0]!.fields.map((f) => f.trim());
  let column = header.indexOf(CLASS_COLUMN);
  let body = rows.slice(1);
  if (column < 0) {
    const alternative = SEED_ALTERNATIVE_COLUMNS.find((name) => header.includes(name));
    const loose = header.findIndex((cell) => HEADER_WORDS.has(headerKey(cell)));
    const width = Math.max(...rows.map((r) => r.fields.length));
    if (alternative !== undefined) {
      column = header.indexOf(alternative);
      repairs.push(
        `column "${alternative}" read as ${CLASS_COLUMN} (as the seed tool offers to rename it)`,
      );
    } else if (loose >= 0) {
      column = loose;
      repairs.push(`column "${header[loose]}" read as ${CLASS_COLUMN}`);
    } else if (width === 1) {
      column = 0;
      body = rows;
      repairs.push(
        `no header row: the first line ${JSON.stringify(header[0])} is read as a class name (the seed tool would have taken it as the column name)`,
      );
    } else {
      throw new ImportError(
        { file, line: rows[0]!.line },
        `a header row with a ${CLASS_COLUMN} column (or ${SEED_ALTERNATIVE_COLUMNS.join(', ')})`,
        `columns ${header.map((h) => JSON.stringify(h)).join(', ')}`,
      );
    }
  }
  const colorColumn = header.findIndex((cell) => ['color', 'colour'].includes(headerKey(cell)));
  const names: string[] = [];
  const colors: (string | null)[] = [];
  let ragged = 0;
  for (const row of body) {
    if (row.fields.length !== header.length && body !== rows) ragged++;
    names.push(row.fields[column] ?? '');
    const color = colorColumn >= 0 && body !== rows ? (row.fields[colorColumn] ?? '').trim() : '';
    colors.push(
      color === '' ? null : parseColor(color, file, `line ${row.line} ${header[colorColumn]}`),
    );
  }
  if (ragged)
    repairs.push(
      `${ragged} row${ragged > 1 ? 's have' : ' has'} a different number of fields than the header`,
    );
  tidyNames(names, (i) => `line ${body[i]!.line}`, repairs);
  return requireSomeNames({ file, names, colors, repairs });
}

/** One CSV field, quoted when it must be (or when a reader would trim or skip it). */
function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$|^#/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Writes `names` as the seed tool's CSV (header class_name, LF line ends, UTF-8 without a
 * byte-order mark) to `newPath`, which must not exist yet: an existing file, the user's own
 * class list included, is never overwritten. The file appears whole or not at all.
 */
export async function writeClassCsv(names: readonly string[], newPath: string): Promise<string> {
  const text = [CLASS_COLUMN, ...names.map(csvField)].join('\n') + '\n';
  const temp = path.join(
    path.dirname(newPath),
    `.${path.basename(newPath)}.${process.pid}.${Date.now()}.tmp`,
  );
  await writeFile(temp, text, { flag: 'wx' });
  try {
    // link() fails with EEXIST instead of replacing: the no-overwrite guarantee, atomically.
    await link(temp, newPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new ImportError(
        { file: newPath },
        'a path where no file exists yet (existing files are never overwritten)',
        'an existing file',
        { cause: err },
      );
    }
    // File systems without hard links: exclusive create still never overwrites.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    await writeFile(newPath, text, { flag: 'wx' });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return newPath;
}
