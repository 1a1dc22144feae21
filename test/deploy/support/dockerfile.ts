/**
 * A Dockerfile read into stages and instructions (line continuations joined, comments dropped), enough to
 * check its structure without a Docker engine.
 */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  /** The `AS` name, or the stage index as text. */
  name: string;
  base: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARG/comment lines before the first FROM. */
  preamble: Instruction[];
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (pending !== '' && line.trimStart().startsWith('#')) continue;
    if (pending === '') startLine = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/s.exec(whole);
    if (match?.[1])
      instructions.push({ keyword: match[1].toUpperCase(), args: (match[2] ?? '').trim(), line: startLine });
  }
  const result: Dockerfile = { preamble: [], stages: [] };
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [base = '', as, name] = instruction.args.split(/\s+/);
      result.stages.push({
        name: as?.toUpperCase() === 'AS' && name ? name : String(result.stages.length),
        base,
        instructions: [],
      });
    } else if (result.stages.length === 0) {
      result.preamble.push(instruction);
    } else {
      result.stages[result.stages.length - 1]?.instructions.push(instruction);
    }
  }
  return result;
}

/** The exec-form array of CMD/ENTRYPOINT/HEALTHCHECK CMD, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  const start = args.indexOf('[');
  if (start === -1) return undefined;
  try {
    const parsed: unknown = JSON.parse(args.slice(start));
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}
