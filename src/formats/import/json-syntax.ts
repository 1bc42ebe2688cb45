/**
 * Where JSON text goes wrong. JSON.parse's messages give a position only for some errors
 * ("Unexpected token '}', ... is not valid JSON" has none), so after a failed parse this
 * validator walks the text (iteratively: deep nesting cannot overflow the stack) to the first
 * offending character, for an error that names the line.
 */
import { ImportError } from './errors.js';

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Offset of the first syntax error, or -1 if the text is valid JSON. */
export function jsonErrorOffset(s: string): number {
  let i = 0;
  const stack: number[] = []; // '[' or '{' char codes
  const ws = (): void => {
    while (i < s.length && WS.has(s.charCodeAt(i))) i++;
  };
  const string = (): boolean => {
    i++;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = s[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return false;
      } else i++;
    }
    return false;
  };
  const scalar = (): boolean => {
    const c = s[i];
    if (c === '"') return string();
    for (const word of ['true', 'false', 'null']) {
      if (s.startsWith(word, i)) {
        i += word.length;
        return true;
      }
    }
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = i;
    if (m.exec(s) && m.lastIndex > i) {
      i = m.lastIndex;
      return true;
    }
    return false;
  };
  // After a value: close containers or expect ',' and the next member.
  const afterValue = (): number | null => {
    for (;;) {
      ws();
      const top = stack[stack.length - 1];
      if (top === undefined) return i < s.length ? i : null;
      const c = s[i];
      if (c === ',') {
        i++;
        ws();
        if (top === 0x7b) {
          if (s[i] !== '"' || !string()) return i;
          ws();
          if (s[i] !== ':') return i;
          i++;
        }
        return -2; // read a value next
      }
      if ((top === 0x5b && c === ']') || (top === 0x7b && c === '}')) {
        stack.pop();
        i++;
        continue;
      }
      return i;
    }
  };
  for (;;) {
    ws();
    const c = s[i];
    if (c === '[' || c === '{') {
      stack.push(s.charCodeAt(i));
      i++;
      ws();
      const close = c === '[' ? ']' : '}';
      if (s[i] === close) {
        stack.pop();
        i++;
      } else if (c === '{') {
        if (s[i] !== '"' || !string()) return i;
        ws();
        if (s[i] !== ':') return i;
        i++;
        continue;
      } else continue;
    } else if (!scalar()) return Math.min(i, s.length);
    const next = afterValue();
    if (next === null) return -1;
    if (next !== -2) return next;
  }
}

/** JSON.parse, with a SyntaxError turned into an ImportError naming line and column. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    const offset = Math.max(0, jsonErrorOffset(text));
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < offset; k++) {
      if (text.charCodeAt(k) === 0x0a) {
        line++;
        lineStart = k + 1;
      }
    }
    const near = text.slice(offset, offset + 24);
    throw new ImportError(
      { file, line },
      'valid JSON',
      `${near === '' ? 'the end of the file' : JSON.stringify(near)} at column ${offset - lineStart + 1} (${err.message.slice(0, 120)})`,
      { cause: err },
    );
  }
}
