/**
 * A small, strict XML reader and writer for the documents virsh prints (domain, snapshot, pool,
 * network XML). It handles what libvirt emits and what its users put in <metadata>: elements,
 * attributes in either quote, text, the five named entities and character references, comments,
 * CDATA, processing instructions and the XML declaration. A DOCTYPE is refused (libvirt never
 * prints one, and refusing it rules out entity expansion). Namespace prefixes are kept as part of
 * the name ("test:runstate"). Malformed input throws XmlError with the offset.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

export class XmlError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} (at character ${offset})`);
    this.name = 'XmlError';
  }
}

const MAX_DEPTH = 256;
const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string, offset: number): string {
  return text.replace(/&([^;&\s]{1,10});/g, (whole, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) return codePoint(parseInt(ref.slice(2), 16), whole, offset);
    if (ref.startsWith('#')) return codePoint(parseInt(ref.slice(1), 10), whole, offset);
    const named = NAMED_ENTITIES[ref];
    if (named === undefined) throw new XmlError(`unknown entity ${whole}`, offset);
    return named;
  });
}

function codePoint(value: number, whole: string, offset: number): string {
  if (!Number.isInteger(value) || value <= 0 || value > 0x10ffff) throw new XmlError(`invalid character reference ${whole}`, offset);
  return String.fromCodePoint(value);
}

/** Parses one document; returns its root element. */
export function parseXml(text: string): XmlElement {
  let pos = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const fail = (message: string): never => {
    throw new XmlError(message, pos);
  };
  const expect = (literal: string) => {
    if (!text.startsWith(literal, pos)) fail(`expected "${literal}"`);
    pos += literal.length;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const match = NAME.exec(text);
    if (!match) return fail('expected a name');
    pos += match[0].length;
    return match[0];
  };
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const addChild = (node: XmlNode) => {
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else if (typeof node === 'string') {
      if (node.trim() !== '') fail('text outside the root element');
    } else if (root) fail('a second root element');
    else root = node;
  };

  while (pos < text.length) {
    if (text.startsWith('<!--', pos)) {
      const end = text.indexOf('-->', pos + 4);
      if (end < 0) fail('unterminated comment');
      pos = end + 3;
    } else if (text.startsWith('<![CDATA[', pos)) {
      if (stack.length === 0) fail('CDATA outside the root element');
      const end = text.indexOf(']]>', pos + 9);
      if (end < 0) fail('unterminated CDATA section');
      addChild(text.slice(pos + 9, end));
      pos = end + 3;
    } else if (text.startsWith('<!', pos)) {
      fail('DOCTYPE and other declarations are not accepted');
    } else if (text.startsWith('<?', pos)) {
      const end = text.indexOf('?>', pos + 2);
      if (end < 0) fail('unterminated processing instruction');
      pos = end + 2;
    } else if (text.startsWith('</', pos)) {
      pos += 2;
      const name = readName();
      skipSpace();
      expect('>');
      const open = stack.pop();
      if (!open) fail(`closing </${name}> without an open element`);
      else if (open.name !== name) fail(`closing </${name}> does not match <${open.name}>`);
      else addChild(open);
    } else if (text[pos] === '<') {
      pos += 1;
      const element: XmlElement = { name: readName(), attrs: {}, children: [] };
      for (;;) {
        const before = pos;
        skipSpace();
        if (text.startsWith('/>', pos)) {
          pos += 2;
          addChild(element);
          break;
        }
        if (text[pos] === '>') {
          pos += 1;
          if (stack.length >= MAX_DEPTH) fail('elements nested too deeply');
          stack.push(element);
          break;
        }
        if (pos === before) fail('expected whitespace before an attribute');
        const name = readName();
        skipSpace();
        expect('=');
        skipSpace();
        const quote = text[pos];
        if (quote !== '"' && quote !== "'") fail('expected a quoted attribute value');
        const end = text.indexOf(quote!, pos + 1);
        if (end < 0) fail('unterminated attribute value');
        const raw = text.slice(pos + 1, end);
        if (raw.includes('<')) fail('"<" in an attribute value');
        if (Object.hasOwn(element.attrs, name)) fail(`attribute ${name} given twice`);
        element.attrs[name] = decodeEntities(raw, pos);
        pos = end + 1;
      }
    } else {
      const end = text.indexOf('<', pos);
      const raw = text.slice(pos, end < 0 ? text.length : end);
      addChild(decodeEntities(raw, pos));
      pos += raw.length;
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]!.name}> is not closed`);
  if (!root) fail('no root element');
  return root!;
}

export const isElement = (node: XmlNode): node is XmlElement => typeof node !== 'string';

/** Direct child elements named `name` (or all of them). */
export function childElements(element: XmlElement, name?: string): XmlElement[] {
  return element.children.filter((c): c is XmlElement => isElement(c) && (name === undefined || c.name === name));
}

/** The first element along a path of child names: child(domain, 'devices', 'disk'). */
export function child(element: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let current = element;
  for (const name of path) {
    if (!current) return undefined;
    current = current.children.find((c): c is XmlElement => isElement(c) && c.name === name);
  }
  return current;
}

/** The text of an element (its text children joined), or undefined when it is absent. */
export function textOf(element: XmlElement | undefined): string | undefined {
  if (!element) return undefined;
  return element.children.filter((c): c is string => typeof c === 'string').join('');
}

/** The trimmed text of the element at `path`, or undefined. */
export function childText(element: XmlElement | undefined, ...path: string[]): string | undefined {
  return textOf(child(element, ...path))?.trim();
}

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (text: string) => escapeText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;').replace(/\r/g, '&#13;');

/** Writes an element back as XML (text is kept as it was, so libvirt's indentation survives). */
export function serializeXml(element: XmlElement): string {
  const attrs = Object.entries(element.attrs)
    .map(([name, value]) => ` ${name}='${escapeAttr(value)}'`)
    .join('');
  if (element.children.length === 0) return `<${element.name}${attrs}/>`;
  const inner = element.children.map((c) => (typeof c === 'string' ? escapeText(c) : serializeXml(c))).join('');
  return `<${element.name}${attrs}>${inner}</${element.name}>`;
}
