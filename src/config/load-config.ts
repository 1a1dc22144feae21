/**
 * Loading the configuration: files and directories of YAML -> a validated, resolved `Config`.
 *
 * Every problem of every file is reported at once, each with `file:line:col`. Secrets are only
 * checked for form here, never resolved: a missing environment variable is not a config error.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { formatProblem, type Problem } from './problem';
import { type LoadResult, resolveFragments } from './resolve-config';
import type { Config } from './types';
import { parseYamlFile, type YamlFragment } from './yaml-source';

export type { LoadResult } from './resolve-config';

export interface LoadOptions {
  /** Relative paths are read from here (default: process.cwd()); problems name them as given. */
  cwd?: string;
}

/** The configuration is invalid. `problems` holds every error and warning, sorted. */
export class ConfigError extends Error {
  readonly code = 'ECONFIG';
  override readonly name = 'ConfigError';
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    const errors = problems.filter((p) => p.severity === 'error');
    super(
      `invalid configuration: ${errors.length} error${errors.length === 1 ? '' : 's'}\n` +
        problems.map(formatProblem).join('\n'),
    );
    this.problems = problems;
  }
}

export interface ConfigText {
  file: string;
  text: string;
}

/** Validates and resolves already-read texts, merged in the given order. */
export function loadConfigFromTexts(texts: readonly ConfigText[]): LoadResult {
  const fragments: YamlFragment[] = [];
  const problems: Problem[] = [];
  for (const { file, text } of texts) {
    const parsed = parseYamlFile(file, text);
    fragments.push(...parsed.fragments);
    problems.push(...parsed.problems);
  }
  if (texts.length === 0) {
    return { ok: false, problems: [problem('', 'no configuration files given')] };
  }
  return resolveFragments(
    fragments,
    texts.map((t) => t.file),
    problems,
  );
}

/** One YAML text (for tests and the lab). */
export function loadConfigFromString(text: string, file = '<string>'): LoadResult {
  return loadConfigFromTexts([{ file, text }]);
}

const YAML_FILE = /\.ya?ml$/;

/**
 * The YAML files that a list of files and/or directories stands for. A directory contributes its
 * `*.yaml` / `*.yml` files (not its subdirectories), sorted by name; a file named twice counts once.
 * Files are named as given (joined with the directory), so problems name them the way the user did.
 */
export async function collectConfigFiles(
  paths: readonly string[],
  options: LoadOptions = {},
): Promise<{ files: string[]; problems: Problem[] }> {
  const cwd = options.cwd ?? process.cwd();
  const problems: Problem[] = [];
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    const absolute = resolve(cwd, file);
    if (seen.has(absolute)) return;
    seen.add(absolute);
    files.push(file);
  };
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(resolve(cwd, path))).isDirectory();
    } catch (error) {
      problems.push(problem(path, `cannot read: ${errorText(error)}`));
      continue;
    }
    if (!isDirectory) {
      add(path);
      continue;
    }
    const names = (await readdir(resolve(cwd, path), { withFileTypes: true }))
      .filter((entry) => entry.isFile() && YAML_FILE.test(entry.name))
      .map((entry) => entry.name)
      .sort();
    if (names.length === 0) problems.push(problem(path, 'no *.yaml or *.yml files in this directory'));
    names.forEach((name) => add(join(path, name)));
  }
  return { files, problems };
}

/** Files and/or directories (see collectConfigFiles), merged in that order. */
export async function loadConfig(paths: string[], options: LoadOptions = {}): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const { files, problems } = await collectConfigFiles(paths, options);
  const texts: ConfigText[] = [];
  for (const file of files) {
    try {
      texts.push({ file, text: await readFile(resolve(cwd, file), 'utf8') });
    } catch (error) {
      problems.push(problem(file, `cannot read: ${errorText(error)}`));
    }
  }
  if (problems.length > 0) {
    // Merging what could be read would report references into the unread files as unknown.
    return { ok: false, problems };
  }
  return loadConfigFromTexts(texts);
}

/** Like loadConfig, for programs that cannot run without a valid config: throws ConfigError. */
export async function loadConfigOrThrow(
  paths: string[],
  options: LoadOptions = {},
): Promise<{ config: Config; warnings: Problem[] }> {
  const result = await loadConfig(paths, options);
  if (!result.ok) throw new ConfigError(result.problems);
  return { config: result.config, warnings: result.warnings };
}

function problem(file: string, message: string): Problem {
  return { severity: 'error', file, line: 1, col: 1, path: '', message };
}

function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
