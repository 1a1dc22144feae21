/**
 * A tiny XML well-formedness check for the drill's SVG (no XML parser in the dependencies): an optional XML
 * declaration, one root element, tags balanced and properly nested, attributes quoted and unique, only the
 * five predefined entities or numeric references, no raw `<` or `&` in text. Throws naming the offset.
 */
const NAME = '[A-Za-z_:][A-Za-z0-9_:.-]*';
const ATTRIBUTE = new RegExp(`\\s+(${NAME})\\s*=\\s*("[^"<]*"|'[^'<]*')`, 'y');
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/y;

export function checkWellFormedXml(text: string): { root: string; elements: number } {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(
      `not well-formed XML at offset ${at}: ${why} (near ${JSON.stringify(text.slice(at, at + 40))})`,
    );
  };
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    at = end + 2;
  }
  const stack: string[] = [];
  let root: string | undefined;
  let elements = 0;
  let closedRoot = false;
  while (at < text.length) {
    const char = text[at];
    if (char === '<') {
      if (text.startsWith('<!--', at)) {
        const end = text.indexOf('-->', at + 4);
        if (end < 0) fail('unterminated comment');
        at = end + 3;
        continue;
      }
      if (text.startsWith('</', at)) {
        const match = new RegExp(`</(${NAME})\\s*>`, 'y');
        match.lastIndex = at;
        const closing = match.exec(text);
        if (closing === null) return fail('bad end tag');
        const open = stack.pop();
        if (open !== closing[1]) fail(`end tag </${closing[1]}> closes <${open ?? '(nothing)'}>`);
        if (stack.length === 0) closedRoot = true;
        at = match.lastIndex;
        continue;
      }
      const nameMatch = new RegExp(`<(${NAME})`, 'y');
      nameMatch.lastIndex = at;
      const opening = nameMatch.exec(text);
      if (opening === null) return fail('bad start tag');
      if (closedRoot) fail('content after the root element');
      const name = opening[1] as string;
      root ??= name;
      elements += 1;
      at = nameMatch.lastIndex;
      const seen = new Set<string>();
      for (;;) {
        ATTRIBUTE.lastIndex = at;
        const attribute = ATTRIBUTE.exec(text);
        if (attribute === null) break;
        const attrName = attribute[1] as string;
        if (seen.has(attrName)) fail(`duplicate attribute ${attrName}`);
        seen.add(attrName);
        checkEntities(attribute[2] as string, at, fail);
        at = ATTRIBUTE.lastIndex;
      }
      const rest = /\s*(\/?)>/y;
      rest.lastIndex = at;
      const end = rest.exec(text);
      if (end === null) return fail(`unterminated start tag <${name}>`);
      at = rest.lastIndex;
      if (end[1] !== '/') stack.push(name);
      else if (stack.length === 0) closedRoot = true;
      continue;
    }
    const next = text.indexOf('<', at);
    const chunk = text.slice(at, next < 0 ? text.length : next);
    if (stack.length === 0 && chunk.trim() !== '') fail('text outside the root element');
    checkEntities(chunk, at, fail);
    at = next < 0 ? text.length : next;
  }
  if (stack.length > 0) fail(`unclosed <${stack.join('> <')}>`);
  if (root === undefined) fail('no root element');
  return { root: root as string, elements };
}

function checkEntities(chunk: string, offset: number, fail: (why: string) => never): void {
  for (let i = chunk.indexOf('&'); i >= 0; i = chunk.indexOf('&', i + 1)) {
    ENTITY.lastIndex = i;
    if (ENTITY.exec(chunk) === null) fail(`bad entity at +${offset + i}`);
  }
}
