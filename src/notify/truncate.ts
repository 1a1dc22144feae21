/**
 * Length limits shared by the channel formatters. Chat platforms reject a whole message when one field is
 * one character too long (Slack `invalid_blocks`, Discord 50035, Teams 413), so formatters cut every field to
 * its documented limit instead: a shortened explanation is worth more than a lost failover message. Nothing
 * here ever throws.
 *
 * Lengths are counted in UTF-16 code units (JavaScript `length`), which is what the platforms' limits count
 * or over-count: an astral character (emoji) is one character to Slack and two code units here, so a text
 * within our limit is within theirs. A cut never separates the two halves of a surrogate pair.
 */

/** Appended where text was cut. One code unit, so it costs little of a tight limit. */
export const ELLIPSIS = '…';

/** True when `code` is the high (first) half of a surrogate pair. */
function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The first `length` code units of `text`, one fewer when the cut would split a surrogate pair. */
function safePrefix(text: string, length: number): string {
  if (length <= 0) return '';
  if (length >= text.length) return text;
  const end = isHighSurrogate(text.charCodeAt(length - 1)) ? length - 1 : length;
  return text.slice(0, end);
}

/**
 * `text` cut to at most `max` code units, ending with `marker` when something was cut. A limit shorter than
 * the marker yields a bare prefix (no marker) so the result still fits.
 */
export function truncate(text: string, max: number, marker: string = ELLIPSIS): string {
  const limit = Math.max(0, Math.floor(max));
  if (text.length <= limit) return text;
  if (marker.length >= limit) return safePrefix(text, limit);
  return safePrefix(text, limit - marker.length) + marker;
}

/** UTF-8 size of a text, in bytes (what request size limits count). */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * `text` cut to at most `maxBytes` bytes of UTF-8, ending with `marker` when something was cut. Cuts on a
 * character boundary.
 */
export function truncateBytes(text: string, maxBytes: number, marker: string = ELLIPSIS): string {
  const limit = Math.max(0, Math.floor(maxBytes));
  if (utf8Length(text) <= limit) return text;
  const room = limit - utf8Length(marker);
  if (room <= 0) return '';
  // Every code unit takes 1 to 3 bytes (a surrogate pair 4 bytes for 2 units): start from a prefix that
  // cannot be too short by more than a factor of 3 and walk back to the largest one that fits.
  let end = Math.min(text.length, room);
  let prefix = safePrefix(text, end);
  while (utf8Length(prefix) > room && end > 0) {
    end = Math.max(0, end - Math.max(1, Math.ceil((utf8Length(prefix) - room) / 3)));
    prefix = safePrefix(text, end);
  }
  return prefix + marker;
}

/**
 * Lines joined with `\n`, keeping whole lines while they fit in `max` code units; when some are left out, a
 * last line says how many (`… 12 more lines`). A single line longer than the limit is cut itself, so a
 * non-empty input never comes back empty.
 */
export function truncateLines(lines: readonly string[], max: number): string {
  const whole = lines.join('\n');
  if (whole.length <= max) return whole;
  const kept: string[] = [];
  let used = 0;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const left = lines.length - index - 1;
    const cost = (kept.length > 0 ? 1 : 0) + line.length;
    const note = `\n${ELLIPSIS} ${left + 1} more line${left + 1 === 1 ? '' : 's'}`;
    if (used + cost + (left > 0 ? note.length : 0) > max) {
      if (kept.length === 0) return truncate(line, max);
      return truncate(kept.join('\n') + note, max);
    }
    kept.push(line);
    used += cost;
  }
  return truncate(kept.join('\n'), max);
}

/** At most `max` items; when some are left out, the last kept item is replaced by `summary(left)`. */
export function limitItems<T>(items: readonly T[], max: number, summary: (left: number) => T): T[] {
  if (items.length <= max) return [...items];
  if (max <= 0) return [];
  const kept = items.slice(0, max - 1);
  kept.push(summary(items.length - kept.length));
  return kept;
}
