import type { StatusRange } from '../../config/types';

/** What an http check accepts when the config names nothing: any answer that is not an error. */
export const DEFAULT_EXPECTED_STATUS: readonly StatusRange[] = [{ from: 200, to: 399 }];

function effectiveRanges(ranges: readonly StatusRange[]): readonly StatusRange[] {
  // The loader always fills the default; an empty list can only come from code, and "accept nothing" is never meant.
  return ranges.length === 0 ? DEFAULT_EXPECTED_STATUS : ranges;
}

export function isExpectedStatus(status: number, ranges: readonly StatusRange[]): boolean {
  return effectiveRanges(ranges).some((range) => status >= range.from && status <= range.to);
}

/** `200-399`, `200-299, 301`: the way the ranges are written in the config. */
export function formatStatusRanges(ranges: readonly StatusRange[]): string {
  return effectiveRanges(ranges)
    .map((range) => (range.from === range.to ? String(range.from) : `${range.from}-${range.to}`))
    .join(', ');
}

/** `HTTP 503 (expected 200-399)` */
export function unexpectedStatusDetail(status: number, ranges: readonly StatusRange[]): string {
  return `HTTP ${status} (expected ${formatStatusRanges(ranges)})`;
}
