/**
 * One thing wrong (or risky) in the configuration, with the place a person has to look at.
 *
 * Every problem carries the file and the 1-based line and column of the YAML node it is about,
 * and the dotted path of the field (`services.api.pools.aws-use1.endpoints[0].check.timeout`),
 * so the same message is useful in a terminal, in CI annotations and in an editor.
 */
export interface Problem {
  severity: 'error' | 'warning';
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  /** Dotted path of the field; '' for problems that belong to no field (YAML syntax errors, unreadable files). */
  path: string;
  message: string;
}

/** `file:line:col: path: message`; warnings carry `warning: ` after the position. */
export function formatProblem(p: Problem): string {
  const severity = p.severity === 'warning' ? 'warning: ' : '';
  const path = p.path === '' ? '' : `${p.path}: `;
  return `${p.file}:${p.line}:${p.col}: ${severity}${path}${p.message}`;
}

/**
 * Sorts problems by file (in the given load order; unknown files first, then by name), line, column,
 * errors before warnings, then message — a stable, deterministic order for output and tests.
 */
export function sortProblems(problems: readonly Problem[], fileOrder: readonly string[] = []): Problem[] {
  const rank = new Map(fileOrder.map((file, index) => [file, index]));
  const fileRank = (file: string): number => rank.get(file) ?? -1;
  return [...problems].sort(
    (a, b) =>
      fileRank(a.file) - fileRank(b.file) ||
      compareText(a.file, b.file) ||
      a.line - b.line ||
      a.col - b.col ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      compareText(a.path, b.path) ||
      compareText(a.message, b.message),
  );
}

/** Drops exact repeats: a field inherited by many endpoints is reported once, where it was written. */
export function dedupeProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.severity}\u0000${formatProblem(p)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
