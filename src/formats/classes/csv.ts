/**
 * RFC 4180 CSV records: quoted fields with "" escapes, line breaks inside quotes, CRLF, LF or
 * CR line ends. Each record carries the line it starts on, for error messages.
 */
import { ImportError } from '../import/errors.js';

export interface CsvRecord {
  /** 1-based line the record starts on. */
  line: number;
  fields: string[];
}

export function parseCsv(text: string, file: string, delimiter = ','): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  /** The current field was quoted and its closing quote has been read. */
  let closed = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endField = (): void => {
    fields.push(field);
    field = '';
    closed = false;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === delimiter) {
      endField();
      i++;
    } else if (c === '\r' || c === '\n') {
      endField();
      records.push({ line: recordLine, fields });
      fields = [];
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      recordLine = ++line;
    } else if (closed) {
      throw new ImportError(
        { file, line },
        `'${delimiter}' or the end of the line after a closing quote`,
        JSON.stringify(c),
      );
    } else if (c === '"' && field === '') {
      const openLine = line;
      i++;
      for (;;) {
        if (i >= text.length) {
          throw new ImportError(
            { file, line: openLine },
            'a closing quote for the field opened on this line',
            'the end of the file',
          );
        }
        const q = text[i]!;
        i++;
        if (q === '"') {
          if (text[i] !== '"') break;
          i++;
        } else if (q === '\n' || (q === '\r' && text[i] !== '\n')) {
          line++;
        }
        field += q;
      }
      closed = true;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || closed || fields.length > 0) {
    endField();
    records.push({ line: recordLine, fields });
  }
  return records;
}
