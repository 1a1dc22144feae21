import { userInfo } from 'node:os';
import { UsageError } from './cli-io';

/** Longest `--by` kept: an identity, not prose (the reason is for prose). */
export const MAX_OPERATOR_LENGTH = 100;

/**
 * Who is acting, for the audit trail: `--by` when given (a shared bastion account should name the person),
 * else the OS user, else `USER` / `LOGNAME`, else `unknown`. Never empty: an audited change without a
 * name is the thing the audit exists to prevent.
 */
export function operatorIdentity(by: string | undefined, env: NodeJS.ProcessEnv): string {
  if (by !== undefined) {
    const trimmed = by.trim();
    if (trimmed === '') throw new UsageError('--by must not be empty');
    if (trimmed.length > MAX_OPERATOR_LENGTH)
      throw new UsageError(`--by is ${trimmed.length} characters long; at most ${MAX_OPERATOR_LENGTH}`);
    // eslint-disable-next-line no-control-regex -- control characters would forge lines in terminals and logs
    if (/[\u0000-\u001f\u007f]/.test(trimmed))
      throw new UsageError('--by must not contain control characters');
    return trimmed;
  }
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // No passwd entry for the uid (containers): fall back to the environment.
  }
  return env.USER || env.LOGNAME || 'unknown';
}

/** Longest `--reason` kept, so one override cannot bloat every status and notification. */
export const MAX_REASON_LENGTH = 500;

/** `--reason` is required and must say something. */
export function requireReason(reason: string | undefined): string {
  const trimmed = reason?.trim() ?? '';
  if (trimmed === '') throw new UsageError('--reason <text> is required: say why, for the audit trail');
  if (trimmed.length > MAX_REASON_LENGTH)
    throw new UsageError(`--reason is ${trimmed.length} characters long; at most ${MAX_REASON_LENGTH}`);
  // eslint-disable-next-line no-control-regex -- newlines are allowed in neither chat one-liners nor status
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new UsageError('--reason must be one line of text');
  return trimmed;
}
