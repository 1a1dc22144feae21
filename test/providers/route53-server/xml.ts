/**
 * Just enough XML for Route 53's REST/XML wire format: a strict parser for request bodies and a builder for
 * responses. Hand-written because the project has no XML dependency of its own (the SDK's parser is an
 * internal detail of the SDK), and Route 53 documents are small and plain: no DTDs, no processing beyond the
 * prolog, no mixed content. DOCTYPE is refused outright, so no entity expansion can ever happen.
 */

export interface XmlElement {
  /** Local name: a namespace prefix, if any, is dropped (Route 53 uses a default namespace). */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element (entities decoded). */
  text: string;
}

export class XmlSyntaxError extends Error {
  readonly code = 'XML_SYNTAX';
  constructor(message: string, position: number) {
    super(`${message} at offset ${position}`);
    this.name = 'XmlSyntaxError';
  }
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

const NAME_PATTERN = /[A-Za-z_][\w.:-]*/y;

function decodeEntities(raw: string, position: number): string {
  return raw.replace(/&([^;&\s]*);?/g, (match, entity: string) => {
    if (!match.endsWith(';')) throw new XmlSyntaxError(`unterminated entity "${match}"`, position);
    const named = NAMED_ENTITIES[entity];
    if (named !== undefined) return named;
    const numeric = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(entity);
    if (numeric?.[1] !== undefined) {
      const digits = numeric[1];
      const codePoint = digits.startsWith('x') ? parseInt(digits.slice(1), 16) : parseInt(digits, 10);
      if (codePoint > 0x10ffff)
        throw new XmlSyntaxError(`character reference out of range "${match}"`, position);
      return String.fromCodePoint(codePoint);
    }
    throw new XmlSyntaxError(`unknown entity "${match}"`, position);
  });
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

class XmlReader {
  private position = 0;

  constructor(private readonly source: string) {}

  document(): XmlElement {
    this.skipMisc();
    if (this.source.startsWith('<?xml', this.position)) {
      this.skipPast('?>', 'XML declaration');
      this.skipMisc();
    }
    if (this.source.startsWith('<!DOCTYPE', this.position)) {
      throw new XmlSyntaxError('DOCTYPE is not allowed', this.position);
    }
    if (this.source[this.position] !== '<')
      throw new XmlSyntaxError('expected a root element', this.position);
    const root = this.element();
    this.skipMisc();
    if (this.position < this.source.length) {
      throw new XmlSyntaxError('unexpected content after the root element', this.position);
    }
    return root;
  }

  private element(): XmlElement {
    const start = this.position;
    this.position += 1; // '<'
    const qualified = this.name();
    const element: XmlElement = { name: localName(qualified), attributes: {}, children: [], text: '' };
    for (;;) {
      this.skipWhitespace();
      if (this.source.startsWith('/>', this.position)) {
        this.position += 2;
        return element;
      }
      if (this.source[this.position] === '>') {
        this.position += 1;
        break;
      }
      const attribute = this.name();
      this.skipWhitespace();
      if (this.source[this.position] !== '=')
        throw new XmlSyntaxError(`expected "=" after ${attribute}`, this.position);
      this.position += 1;
      this.skipWhitespace();
      const quote = this.source[this.position];
      if (quote !== '"' && quote !== "'")
        throw new XmlSyntaxError('expected a quoted attribute value', this.position);
      const end = this.source.indexOf(quote, this.position + 1);
      if (end === -1) throw new XmlSyntaxError('unterminated attribute value', this.position);
      element.attributes[attribute] = decodeEntities(
        this.source.slice(this.position + 1, end),
        this.position,
      );
      this.position = end + 1;
    }
    const text: string[] = [];
    for (;;) {
      if (this.position >= this.source.length) {
        throw new XmlSyntaxError(
          `element <${qualified}> is never closed (opened at ${start})`,
          this.position,
        );
      }
      if (this.source.startsWith('</', this.position)) {
        this.position += 2;
        const closing = this.name();
        if (closing !== qualified) {
          throw new XmlSyntaxError(`</${closing}> closes <${qualified}>`, this.position);
        }
        this.skipWhitespace();
        if (this.source[this.position] !== '>') throw new XmlSyntaxError('expected ">"', this.position);
        this.position += 1;
        break;
      }
      if (this.source.startsWith('<!--', this.position)) {
        this.skipPast('-->', 'comment');
      } else if (this.source.startsWith('<![CDATA[', this.position)) {
        const end = this.source.indexOf(']]>', this.position);
        if (end === -1) throw new XmlSyntaxError('unterminated CDATA section', this.position);
        text.push(this.source.slice(this.position + 9, end));
        this.position = end + 3;
      } else if (this.source[this.position] === '<') {
        element.children.push(this.element());
      } else {
        const next = this.source.indexOf('<', this.position);
        const end = next === -1 ? this.source.length : next;
        text.push(decodeEntities(this.source.slice(this.position, end), this.position));
        this.position = end;
      }
    }
    const joined = text.join('');
    // Indentation between child elements is not content.
    element.text = element.children.length > 0 && joined.trim() === '' ? '' : joined;
    return element;
  }

  private name(): string {
    NAME_PATTERN.lastIndex = this.position;
    const match = NAME_PATTERN.exec(this.source);
    if (match === null) throw new XmlSyntaxError('expected a name', this.position);
    this.position += match[0].length;
    return match[0];
  }

  private skipWhitespace(): void {
    while (this.position < this.source.length && /\s/.test(this.source[this.position] ?? ''))
      this.position += 1;
  }

  private skipMisc(): void {
    for (;;) {
      this.skipWhitespace();
      if (this.source.startsWith('<!--', this.position)) this.skipPast('-->', 'comment');
      else return;
    }
  }

  private skipPast(terminator: string, what: string): void {
    const end = this.source.indexOf(terminator, this.position);
    if (end === -1) throw new XmlSyntaxError(`unterminated ${what}`, this.position);
    this.position = end + terminator.length;
  }
}

/** Parses a whole document and returns its root element; throws XmlSyntaxError on anything malformed. */
export function parseXml(source: string): XmlElement {
  return new XmlReader(source).document();
}

export function childElements(parent: XmlElement, name: string): XmlElement[] {
  return parent.children.filter((child) => child.name === name);
}

export function childElement(parent: XmlElement, name: string): XmlElement | undefined {
  return parent.children.find((child) => child.name === name);
}

/** Text of a direct child element, or undefined when the child is absent. */
export function childText(parent: XmlElement, name: string): string | undefined {
  return childElement(parent, name)?.text;
}

/** A response node: text content, child nodes, or nothing (an empty element). */
export interface XmlNode {
  name: string;
  attributes?: Record<string, string>;
  text?: string;
  children?: Array<XmlNode | undefined>;
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Builds a node; `undefined` children are dropped, so optional elements can be written inline. */
export function xmlNode(
  name: string,
  content?: string | number | boolean | Array<XmlNode | undefined>,
): XmlNode {
  if (content === undefined) return { name };
  if (Array.isArray(content)) return { name, children: content };
  return { name, text: String(content) };
}

/** Like xmlNode, but the whole element is omitted when the value is undefined. */
export function optionalNode(
  name: string,
  value: string | number | boolean | undefined,
): XmlNode | undefined {
  return value === undefined ? undefined : xmlNode(name, value);
}

function serializeNode(node: XmlNode): string {
  const attributes = Object.entries(node.attributes ?? {})
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
  const children = (node.children ?? []).filter((child): child is XmlNode => child !== undefined);
  if (children.length === 0 && node.text === undefined) return `<${node.name}${attributes}/>`;
  const inner = node.text !== undefined ? escapeXml(node.text) : children.map(serializeNode).join('');
  return `<${node.name}${attributes}>${inner}</${node.name}>`;
}

/** A whole document, with the XML declaration Route 53 sends. */
export function serializeXmlDocument(root: XmlNode): string {
  return `<?xml version="1.0"?>\n${serializeNode(root)}`;
}
