import type { StoredEvent } from '../evaluator/service-record';
import { formatTime } from '../quorum/format-duration';
import { plainStyle, type TextStyle } from './text-style';

/**
 * One event as one line, for `quorumdns events` and the tail of `status`:
 *
 *   2026-05-01T10:00:00.000Z  warning   pool-drained  api: pool aws-use1 drained ...  [gen 4]
 *   2026-05-01T10:02:00.000Z  info      override-set  api: freeze set ...  [by alice: "db migration"] [gen 4]
 *
 * The message already names the service. Severity is padded so the kinds line up.
 */
export function formatEventLine(event: StoredEvent, style: TextStyle = plainStyle): string {
  const severity = event.severity.padEnd(8);
  const styledSeverity =
    event.severity === 'critical'
      ? style.bad(severity)
      : event.severity === 'warning'
        ? style.warn(severity)
        : style.dim(severity);
  const audit =
    event.by !== undefined || event.reason !== undefined
      ? `  [by ${event.by ?? 'unknown'}${event.reason !== undefined ? `: ${JSON.stringify(event.reason)}` : ''}]`
      : '';
  const drill = event.drill === true ? `  ${style.warn('[drill]')}` : '';
  return `${style.dim(formatTime(event.at))}  ${styledSeverity}  ${style.bold(event.kind.padEnd(16))}  ${event.message}${audit}${drill}  ${style.dim(`[gen ${event.generation}]`)}`;
}
