import type { CliIo } from '../cli/cli-io';

/** The few styles status output uses; `plain` makes every one of them the identity. */
export interface TextStyle {
  enabled: boolean;
  good(text: string): string;
  bad(text: string): string;
  warn(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const wrap =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

export const ansiStyle: TextStyle = {
  enabled: true,
  good: wrap(32, 39),
  bad: wrap(31, 39),
  warn: wrap(33, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
};

const identity = (text: string): string => text;

export const plainStyle: TextStyle = {
  enabled: false,
  good: identity,
  bad: identity,
  warn: identity,
  dim: identity,
  bold: identity,
};

/**
 * Colour only for a person at a terminal: stdout is a TTY and `NO_COLOR` (https://no-color.org) is unset or
 * empty. Pipes, files and CI logs get plain text that greps cleanly.
 */
export function styleFor(io: Pick<CliIo, 'isTty' | 'env'>): TextStyle {
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  return io.isTty && !noColor ? ansiStyle : plainStyle;
}

// eslint-disable-next-line no-control-regex -- matching the escape sequences this module writes
const ANSI_SEQUENCE = /\u001b\[[0-9;]*m/g;

/** Width of a text on screen: escape sequences take no room. */
export function visibleLength(text: string): number {
  return text.replace(ANSI_SEQUENCE, '').length;
}

/**
 * Rows of cells as aligned columns (two spaces apart, trailing blanks trimmed), styled cells included.
 * The first row is usually the heading.
 */
export function renderTable(rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, visibleLength(cell));
    });
  }
  return rows.map((row) =>
    `${indent}${row
      .map((cell, column) =>
        column === row.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - visibleLength(cell)),
      )
      .join('  ')}`.trimEnd(),
  );
}
