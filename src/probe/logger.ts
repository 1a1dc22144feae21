/**
 * One line per state change (worker started, opinion flipped, Redis unreachable / back, config reloaded),
 * as JSON so log pipelines index the fields. Never given secrets: callers pass redacted values only.
 */
export type LogLevel = 'info' | 'warn' | 'error';

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

/** Writes `{"time":..,"level":..,"msg":..,...base,...fields}` lines to `write`. */
export function jsonLineLogger(
  write: (line: string) => void,
  base: LogFields = {},
  now: () => number = Date.now,
): Logger {
  return {
    log(level, message, fields = {}) {
      const entry: Record<string, unknown> = { time: new Date(now()).toISOString(), level, msg: message };
      for (const [key, value] of Object.entries({ ...base, ...fields })) {
        if (value !== undefined) entry[key] = value;
      }
      write(`${JSON.stringify(entry)}\n`);
    },
  };
}

/** A logger that keeps entries in memory (tests, the Lambda summary). */
export function memoryLogger(): Logger & {
  entries: { level: LogLevel; message: string; fields: LogFields }[];
} {
  const entries: { level: LogLevel; message: string; fields: LogFields }[] = [];
  return {
    entries,
    log(level, message, fields = {}) {
      entries.push({ level, message, fields });
    },
  };
}
