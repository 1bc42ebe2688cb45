/**
 * The part of YAML that dataset files (Ultralytics data.yaml) use for the fields we read:
 * top-level `key: value` lines, plain and quoted scalars, flow lists and maps ([a, b],
 * {0: a}) that may span lines, and one level of block lists (- a) or maps (0: a) under a key.
 * Top-level keys are split out first; a key's value is parsed only when asked for, so YAML
 * we do not understand under other keys (train:, download: scripts) never stops an import.
 * The project has no YAML dependency; js-yaml is only in node_modules as a tool of eslint.
 */
import { ImportError } from '../import/errors.js';
import { splitLines } from '../import/read-input.js';

export type YamlNode =
  | { kind: 'scalar'; value: string; quoted: boolean; line: number }
  | { kind: 'seq'; items: YamlNode[]; line: number }
  | { kind: 'map'; entries: [key: string, value: YamlNode][]; line: number };

interface Line {
  line: number;
  indent: number;
  text: string;
}

/** A top-level key: the text after its colon and the more-indented lines below it. */
export interface YamlEntry {
  line: number;
  inline: string;
  block: Line[];
}

/** Cuts a `#` comment (at the start or after a space, outside quotes) and trailing spaces. */
function stripComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = null;
      } else if (c === '\\' && quote === '"') i++;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) return text.slice(0, i).trimEnd();
  }
  return text.trimEnd();
}

export function splitTopLevel(text: string, file: string): Map<string, YamlEntry> {
  const entries = new Map<string, YamlEntry>();
  let current: YamlEntry | null = null;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const body = stripComment(raw);
    if (body.trim() === '') continue;
    const lineNo = i + 1;
    const indentText = /^[ \t]*/.exec(body)![0];
    if (indentText.includes('\t')) {
      throw new ImportError(
        { file, line: lineNo },
        'indentation with spaces (YAML forbids tabs)',
        'a tab',
      );
    }
    const indent = indentText.length;
    if (indent === 0 && (body === '---' || body.startsWith('--- '))) {
      if (entries.size > 0) break;
      continue;
    }
    if (indent === 0 && body === '...') break;
    if (indent > 0 || body.startsWith('- ') || body === '-') {
      if (!current) {
        throw new ImportError(
          { file, line: lineNo },
          'a top-level "key: value" line',
          JSON.stringify(body.trim()),
        );
      }
      current.block.push({ line: lineNo, indent, text: body });
      continue;
    }
    const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:#]+?)\s*:(?:\s+(.*))?$/.exec(body);
    if (!m) {
      throw new ImportError(
        { file, line: lineNo },
        'a top-level "key: value" line',
        JSON.stringify(body),
      );
    }
    const key = unquote(m[1]!, file, lineNo);
    current = { line: lineNo, inline: (m[2] ?? '').trim(), block: [] };
    entries.set(key, current);
  }
  return entries;
}

function unquote(text: string, file: string, line: number): string {
  if (text.startsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  if (text.startsWith('"')) return unescapeDouble(text.slice(1, -1), file, line);
  return text.trim();
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
};

function unescapeDouble(body: string, file: string, line: number): string {
  return body.replace(
    /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g,
    (_all, e: string) => {
      if (e.length > 1) {
        const cp = parseInt(e.slice(1), 16);
        if (cp > 0x10ffff) throw new ImportError({ file, line }, 'a valid \\U escape', `\\${e}`);
        return String.fromCodePoint(cp);
      }
      const out = ESCAPES[e];
      if (out === undefined)
        throw new ImportError({ file, line }, 'a known escape in a "quoted" string', `\\${e}`);
      return out;
    },
  );
}

/** Parses one top-level entry's value. */
export function parseEntry(entry: YamlEntry, file: string): YamlNode {
  if (entry.inline !== '') {
    // A flow list or map may go on over the following (indented) lines.
    const text = [entry.inline, ...entry.block.map((l) => l.text.trim())].join(' ');
    const parser = new FlowParser(text, file, entry.line);
    // (A plain scalar continued on more lines is folded with spaces the same way.)
    const node = parser.value('end');
    parser.expectEnd();
    return node;
  }
  const block = entry.block;
  if (block.length === 0) return { kind: 'scalar', value: '', quoted: false, line: entry.line };
  const indent = block[0]!.indent;
  const isSeq = /^-(\s|$)/.test(block[0]!.text.trimStart());
  const items: YamlNode[] = [];
  const pairs: [string, YamlNode][] = [];
  for (const l of block) {
    if (l.indent !== indent) {
      throw new ImportError(
        { file, line: l.line },
        `one level of items indented by ${indent} (nesting is not supported here)`,
        `an indent of ${l.indent}`,
      );
    }
    const text = l.text.trim();
    if (isSeq) {
      const m = /^-(?:\s+(.*))?$/.exec(text);
      if (!m)
        throw new ImportError(
          { file, line: l.line },
          'a list item "- value"',
          JSON.stringify(text),
        );
      items.push(flowValue(m[1] ?? '', file, l.line));
    } else {
      const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:#]+?)\s*:(?:\s+(.*))?$/.exec(text);
      if (!m)
        throw new ImportError({ file, line: l.line }, 'a "key: value" line', JSON.stringify(text));
      pairs.push([unquote(m[1]!, file, l.line), flowValue(m[2] ?? '', file, l.line)]);
    }
  }
  return isSeq
    ? { kind: 'seq', items, line: entry.line }
    : { kind: 'map', entries: pairs, line: entry.line };
}

function flowValue(text: string, file: string, line: number): YamlNode {
  const parser = new FlowParser(text.trim(), file, line);
  const node = parser.value('end');
  parser.expectEnd();
  return node;
}

/** Flow values on one (joined) line: scalars, [lists] and {maps}. */
class FlowParser {
  private i = 0;

  constructor(
    private readonly s: string,
    private readonly file: string,
    private readonly line: number,
  ) {}

  private fail(expected: string): never {
    const rest = this.s.slice(this.i, this.i + 20);
    throw new ImportError(
      { file: this.file, line: this.line },
      expected,
      rest === '' ? 'the end of the value' : JSON.stringify(rest),
    );
  }

  private skipSpace(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.i < this.s.length) this.fail('the end of the value');
  }

  /** `context` says what ends a plain scalar: the line's end, or a flow separator. */
  value(context: 'end' | 'seq' | 'key' | 'mapvalue'): YamlNode {
    this.skipSpace();
    const c = this.s[this.i];
    if (c === '[') return this.seq();
    if (c === '{') return this.map();
    if (c === '"' || c === "'") return this.quoted(c);
    if (c !== undefined && '&*!|>%@`'.includes(c)) {
      this.fail('a plain value (anchors, aliases, tags and block scalars are not supported)');
    }
    const stop = context === 'end' ? /$^/ : context === 'key' ? /[:,\]}]/ : /[,\]}]/;
    const start = this.i;
    while (this.i < this.s.length && !stop.test(this.s[this.i]!)) this.i++;
    return {
      kind: 'scalar',
      value: this.s.slice(start, this.i).trim(),
      quoted: false,
      line: this.line,
    };
  }

  private quoted(q: string): YamlNode {
    const start = ++this.i;
    for (;;) {
      if (this.i >= this.s.length) this.fail(`a closing ${q}`);
      const c = this.s[this.i]!;
      if (q === '"' && c === '\\') {
        this.i += 2;
        continue;
      }
      if (c === q) {
        if (q === "'" && this.s[this.i + 1] === "'") {
          this.i += 2;
          continue;
        }
        break;
      }
      this.i++;
    }
    const body = this.s.slice(start, this.i);
    this.i++;
    const value = q === "'" ? body.replace(/''/g, "'") : unescapeDouble(body, this.file, this.line);
    return { kind: 'scalar', value, quoted: true, line: this.line };
  }

  private seq(): YamlNode {
    this.i++;
    const items: YamlNode[] = [];
    for (;;) {
      this.skipSpace();
      if (this.s[this.i] === ']') {
        this.i++;
        return { kind: 'seq', items, line: this.line };
      }
      items.push(this.value('seq'));
      this.skipSpace();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== ']') this.fail("',' or ']' in a [list]");
    }
  }

  private map(): YamlNode {
    this.i++;
    const entries: [string, YamlNode][] = [];
    for (;;) {
      this.skipSpace();
      if (this.s[this.i] === '}') {
        this.i++;
        return { kind: 'map', entries, line: this.line };
      }
      const key = this.value('key');
      if (key.kind !== 'scalar') this.fail('a plain key in a {map}');
      this.skipSpace();
      if (this.s[this.i] !== ':') this.fail("':' after a key in a {map}");
      this.i++;
      entries.push([key.value, this.value('mapvalue')]);
      this.skipSpace();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') this.fail("',' or '}' in a {map}");
    }
  }
}
