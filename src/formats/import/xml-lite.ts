/**
 * Enough XML for Pascal VOC annotation files: elements, text, the five named entities and
 * numeric references, comments, CDATA, the declaration and a DOCTYPE without an internal
 * subset. Attributes are read past, not kept. Errors name the line.
 */
import { ImportError } from './errors.js';

export interface XmlElement {
  name: string;
  line: number;
  children: XmlElement[];
  /** The element's own text (not its children's), entities decoded. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(text: string, file: string): XmlElement {
  let i = 0;
  let line = 1;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const fail = (expected: string, got: string): never => {
    throw new ImportError({ file, line }, expected, got);
  };
  const advanceTo = (end: number): void => {
    for (let k = i; k < end; k++) if (text.charCodeAt(k) === 0x0a) line++;
    i = end;
  };
  const decode = (s: string): string =>
    s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);|&/g, (all, ref: string | undefined) => {
      if (ref === undefined) fail('"&" only as the start of an entity such as &amp;', '"&"');
      if (ref!.startsWith('#')) {
        const cp = ref!.startsWith('#x')
          ? parseInt(ref!.slice(2), 16)
          : parseInt(ref!.slice(1), 10);
        if (!(cp > 0 && cp <= 0x10ffff)) fail('a valid character reference', all);
        return String.fromCodePoint(cp);
      }
      const e = ENTITIES[ref!];
      if (e === undefined) fail('a known entity (&amp; &lt; &gt; &quot; &apos;)', all);
      return e!;
    });
  const skipPast = (marker: string, what: string): void => {
    const end = text.indexOf(marker, i);
    if (end < 0) fail(`the end of the ${what}`, 'the end of the file');
    advanceTo(end + marker.length);
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt < 0 ? text.length : lt);
    if (chunk.trim() !== '') {
      const top = stack[stack.length - 1];
      if (!top)
        fail('text only inside the root element', JSON.stringify(chunk.trim().slice(0, 20)));
      top!.text += decode(chunk);
    }
    advanceTo(lt < 0 ? text.length : lt);
    if (lt < 0) break;
    if (text.startsWith('<!--', i)) skipPast('-->', 'comment');
    else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i);
      if (end < 0) fail('the end of the CDATA section', 'the end of the file');
      const top = stack[stack.length - 1];
      if (!top) fail('CDATA only inside the root element', 'CDATA outside it');
      top!.text += text.slice(i + 9, end);
      advanceTo(end + 3);
    } else if (text.startsWith('<?', i)) skipPast('?>', 'processing instruction');
    else if (text.startsWith('<!DOCTYPE', i)) skipPast('>', 'DOCTYPE');
    else if (text.startsWith('</', i)) {
      const m = /^<\/([^\s>]+)\s*>/.exec(text.slice(i, i + 256));
      if (!m) fail('a closing tag </name>', JSON.stringify(text.slice(i, i + 20)));
      const open = stack.pop();
      if (!open || open.name !== m![1]) {
        fail(
          open ? `</${open.name}> (opened on line ${open.line})` : 'no closing tag here',
          `</${m![1]}>`,
        );
      }
      advanceTo(i + m![0].length);
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(
        text.slice(i, i + 4096),
      );
      if (!m) fail('a tag <name ...>', JSON.stringify(text.slice(i, i + 20)));
      const element: XmlElement = { name: m![1]!, line, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) fail('one root element', `a second one <${element.name}>`);
      else root = element;
      advanceTo(i + m![0].length);
      if (m![3] !== '/') stack.push(element);
    }
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1]!;
    throw new ImportError(
      { file, line: open.line },
      `</${open.name}> before the end of the file`,
      'the end of the file',
    );
  }
  if (!root) fail('an XML element', 'none');
  return root!;
}

export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}
