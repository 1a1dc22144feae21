import type { Millis } from './types';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** A duration as written in YAML: one or more `<number><unit>` parts, e.g. `500ms`, `10s`, `1m30s`, `1.5h`. */
export const DURATION_PATTERN = '^(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d))+$';
const DURATION_RE = new RegExp(DURATION_PATTERN);
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * `'500ms' | '10s' | '2m' | '1h' | '1d'` (and sums like `1m30s`) -> milliseconds.
 * Returns undefined for anything else, including results that are not a whole number of milliseconds
 * or too large to be exact.
 */
export function parseDuration(text: string): Millis | undefined {
  if (!DURATION_RE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART_RE)) {
    total += Number(amount) * UNIT_MS[unit as Unit];
  }
  // 1.5s is exact; 0.5ms or 1.0001s are not a whole millisecond: refuse rather than round silently.
  const rounded = Math.round(total);
  if (Math.abs(total - rounded) > 1e-6 || !Number.isSafeInteger(rounded)) return undefined;
  return rounded;
}

/** Milliseconds -> the shortest exact text in the same notation: 90000 -> `1m30s`, 500 -> `500ms`, 0 -> `0s`. */
export function formatDuration(ms: Millis): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`not a duration: ${ms}`);
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let text = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}

/** For text the schema has already accepted as a duration: its milliseconds. */
export function durationMs(text: string): Millis {
  const ms = parseDuration(text);
  // The schemas refuse anything parseDuration refuses, so this is a bug, not bad input.
  if (ms === undefined) throw new Error(`not a validated duration: ${JSON.stringify(text)}`);
  return ms;
}
