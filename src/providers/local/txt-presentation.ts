/**
 * TXT values in presentation form (`"v=spf1 -all"`, `"part one" "part two"`, RFC 1035 5.1 escapes `\"`, `\\`,
 * `\DDD`) -> the character-strings a TXT RDATA holds. record-set.ts keeps TXT values in this form because
 * Route 53 and Cloud DNS do; the local provider validates it on write and the DNS server puts it on the wire.
 */

/** The longest character-string of a TXT record: its length is one octet (RFC 1035 3.3). */
export const MAX_CHARACTER_STRING = 255;

export class TxtSyntaxError extends Error {
  readonly code = 'ETXTSYNTAX';
  override readonly name = 'TxtSyntaxError';
}

/**
 * The character-strings of one TXT value: quoted strings, or bare words, separated by spaces.
 * Throws `TxtSyntaxError` naming the problem (unterminated quote, bad escape, a string over 255 octets).
 */
export function parseTxtValue(value: string): Buffer[] {
  const strings: Buffer[] = [];
  let at = 0;
  while (at < value.length) {
    const char = value[at] as string;
    if (char === ' ' || char === '\t') {
      at += 1;
      continue;
    }
    const quoted = char === '"';
    if (quoted) at += 1;
    const bytes: number[] = [];
    let closed = !quoted;
    while (at < value.length) {
      const c = value[at] as string;
      if (quoted && c === '"') {
        closed = true;
        at += 1;
        break;
      }
      if (!quoted && (c === ' ' || c === '\t')) break;
      if (!quoted && c === '"') throw new TxtSyntaxError(`a quote inside the bare word at offset ${at}`);
      if (c === '\\') {
        const next = value.slice(at + 1, at + 4);
        if (/^\d{3}$/.test(next)) {
          const octet = Number(next);
          if (octet > 255) throw new TxtSyntaxError(`escape \\${next} is not an octet (0-255)`);
          bytes.push(octet);
          at += 4;
          continue;
        }
        if (next.length === 0) throw new TxtSyntaxError('a backslash at the end of the value');
        bytes.push(...Buffer.from(next[0] as string, 'utf8'));
        at += 2;
        continue;
      }
      const codePoint = value.codePointAt(at) as number;
      const text = String.fromCodePoint(codePoint);
      bytes.push(...Buffer.from(text, 'utf8'));
      at += text.length;
    }
    if (!closed) throw new TxtSyntaxError('an unterminated quoted string');
    if (bytes.length > MAX_CHARACTER_STRING) {
      throw new TxtSyntaxError(
        `a character-string of ${bytes.length} octets (at most ${MAX_CHARACTER_STRING}; split it into several quoted strings)`,
      );
    }
    strings.push(Buffer.from(bytes));
  }
  if (strings.length === 0) throw new TxtSyntaxError('no character-string');
  return strings;
}
