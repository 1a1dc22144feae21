/**
 * Writes one benchmark's section of docs/benchmarks.md: the text between `<!-- <marker>:start -->` and
 * `<!-- <marker>:end -->` is replaced (appended when absent), the rest of the file is left as it is, and the
 * section is formatted as `npm run lint` (prettier --check) expects.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export async function writeBenchmarksSection(marker: string, report: string): Promise<void> {
  // npm runs scripts in the package root; some benchmarks run compiled from .bench-build/, so not __dirname.
  const docs = join(process.cwd(), 'docs', 'benchmarks.md');
  const current = existsSync(docs) ? readFileSync(docs, 'utf8') : '# Benchmarks\n';
  const pattern = new RegExp(`<!-- ${marker}:start -->[\\s\\S]*<!-- ${marker}:end -->`);
  // Loaded only now: loaded at start, prettier would add its weight to what a benchmark measures (RSS).
  const { format } = await import('prettier');
  const section = (
    await format(report, { parser: 'markdown', printWidth: 110, singleQuote: true })
  ).trimEnd();
  writeFileSync(
    docs,
    pattern.test(current) ? current.replace(pattern, () => section) : `${current.trimEnd()}\n\n${section}\n`,
  );
  console.log(`updated ${docs}`);
}
