import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { collectConfigFiles, loadConfig } from '../config/load-config';
import { formatProblem, type Problem } from '../config/problem';
import { type Command, ExitCode, UsageError } from './cli-io';
import { parseArgs } from './parse-args';

/**
 * `quorumdns validate <path...> [--format text|json]`
 *
 * Exit 0 when valid (warnings still printed), 1 when invalid, 2 for a wrong command line.
 * Text: one `file:line:col: path: message` per problem, then a summary line, all on stderr (one
 * stream keeps them in order; stdout is kept for machine output). JSON: `{ valid, errors, warnings }`
 * on stdout.
 */
export const validateCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs(args, { format: { type: 'string', default: 'text' } });
  const format = values.format;
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format must be text or json, got "${format}"`);
  if (positionals.length === 0) throw new UsageError('no path given');
  for (const path of positionals) {
    if (!existsSync(resolve(io.cwd, path))) throw new UsageError(`path not found: ${path}`);
  }

  // Paths inside the working directory are shown relative to it, everywhere (also inside messages).
  const paths = positionals.map((path) => displayPath(path, io.cwd));
  const collected = await collectConfigFiles(paths, { cwd: io.cwd });
  const result =
    collected.problems.length > 0 ? undefined : await loadConfig(collected.files, { cwd: io.cwd });
  const problems: Problem[] =
    result === undefined ? collected.problems : result.ok ? result.warnings : result.problems;
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = problems.filter((p) => p.severity === 'warning');
  const valid = errors.length === 0;

  if (format === 'json') {
    io.stdout(`${JSON.stringify({ valid, errors, warnings }, null, 2)}\n`);
  } else {
    for (const problem of problems) io.stderr(`${formatProblem(problem)}\n`);
    io.stderr(
      `${count(errors.length, 'error')}, ${count(warnings.length, 'warning')} in ${count(collected.files.length, 'file')}\n`,
    );
  }
  return valid ? ExitCode.ok : ExitCode.failure;
};

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function displayPath(path: string, cwd: string): string {
  const absolute = resolve(cwd, path);
  const inside = relative(cwd, absolute);
  if (inside === '') return '.';
  return inside.startsWith('..') || isAbsolute(inside) ? absolute : inside;
}
