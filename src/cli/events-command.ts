import { parseDuration } from '../config/duration';
import { EventLog } from '../evaluator/event-log';
import { redisTimeMs } from '../evaluator/redis-time';
import type { StoredEvent } from '../evaluator/service-record';
import { formatEventLine } from '../status/render-events';
import { styleFor } from '../status/text-style';
import { type CliIo, type Command, ExitCode, UsageError } from './cli-io';
import { configOption, loadOperatorConfig } from './config-flag';
import { runOperatorCommand } from './operator-error';
import { withOperatorRedis } from './operator-redis';
import { parseArgs } from './parse-args';
import { requireService } from './service-argument';

/** Without `--since`, this many of the newest events are printed (a stream holds up to 10,000 per service). */
export const DEFAULT_EVENTS_LIMIT = 100;

/** Larger than any stream sequence number: `<ms>-MAX` is the last possible id of that millisecond. */
const MAX_SEQUENCE = '18446744073709551615';

/**
 * `quorumdns events [--service s]... [--since 1h|<ISO time>] [--limit n] [--follow] [--json] [--config path]...`
 *
 * The audit log of the chosen services (default: all) merged in time order. Without `--since` the newest 100
 * (`--limit`); with it every event since then (Redis clock). `--follow` keeps printing new events until SIGINT
 * or SIGTERM (exit 0). `--json` prints one JSON object per line (NDJSON), the stored event as it is.
 */
export const eventsCommand: Command = async (args, io) => {
  const { values } = parseArgs(
    args,
    {
      ...configOption,
      service: { type: 'string', multiple: true, short: 's' },
      since: { type: 'string' },
      limit: { type: 'string' },
      follow: { type: 'boolean', default: false, short: 'f' },
      json: { type: 'boolean', default: false },
    },
    false,
  );
  const limit = parseLimit(values.limit, values.since === undefined);
  const since = values.since === undefined ? undefined : parseSince(values.since);
  return runOperatorCommand('events', io, async () => {
    const config = await loadOperatorConfig(values.config, io);
    const services = values.service?.length
      ? [...new Set(values.service)].map((name) => requireService(config, name).name)
      : Object.keys(config.services).sort();
    const style = styleFor(io);
    const print = (event: StoredEvent): void =>
      io.stdout(values.json ? `${JSON.stringify(event)}\n` : `${formatEventLine(event, style)}\n`);

    return withOperatorRedis(config, io, async ({ redis, keys }) => {
      const log = new EventLog(redis, keys);
      const readAt = await redisTimeMs(redis);
      const sinceMs = since === undefined ? undefined : since.kind === 'ago' ? readAt - since.ms : since.ms;
      const events = await log.read({
        services,
        ...(sinceMs !== undefined ? { sinceMs } : {}),
        ...(limit !== undefined ? { count: limit } : {}),
      });
      events.forEach(print);
      if (!values.follow) return ExitCode.ok;
      // The command's client refuses commands until connected (fail-fast); follow opens connections of its
      // own (XREAD BLOCK holds one), which must queue their first commands until they are connected. A
      // dropped connection still fails the in-flight read (maxRetriesPerRequest 0): exit 1, never a silent hang.
      const followClient = redis.duplicate({ enableOfflineQueue: true, lazyConnect: true });
      followClient.on('error', () => undefined);
      try {
        await followEvents(new EventLog(followClient, keys), services, events, readAt, io, print);
      } finally {
        followClient.disconnect();
      }
      return ExitCode.ok;
    });
  });
};

/**
 * Tails the streams from where the read ended: per service after its last printed event, or after everything
 * older than the read for services that printed none. Ids already printed are skipped, so an event appended
 * while the first read ran is printed exactly once.
 */
async function followEvents(
  log: EventLog,
  services: string[],
  printed: StoredEvent[],
  readAt: number,
  io: CliIo,
  print: (event: StoredEvent) => void,
): Promise<void> {
  const seen = new Set(printed.map((event) => `${event.service}\u0000${event.id}`));
  const fromIds: Record<string, string> = {};
  for (const service of services) fromIds[service] = `${Math.max(0, readAt - 1)}-${MAX_SEQUENCE}`;
  for (const event of printed) fromIds[event.service] = event.id;
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (io.isTty) io.stderr('following new events; Ctrl-C to stop\n');
  try {
    await log.follow({ services, fromIds, signal: controller.signal }, (event) => {
      const key = `${event.service}\u0000${event.id}`;
      if (seen.has(key)) return;
      seen.add(key);
      print(event);
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

type Since = { kind: 'ago'; ms: number } | { kind: 'at'; ms: number };

/** `--since 90m` (that long before now, Redis clock) or `--since 2026-05-01T10:00:00Z` (an absolute time). */
export function parseSince(text: string): Since {
  const duration = parseDuration(text.trim());
  if (duration !== undefined) return { kind: 'ago', ms: duration };
  // Only full dates: Date.parse accepts bare numbers and odd forms that would silently mean something else.
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const at = Date.parse(text.trim());
    if (!Number.isNaN(at)) return { kind: 'at', ms: at };
  }
  throw new UsageError(
    `--since must be a duration like 30m or 2h, or a time like 2026-05-01T10:00:00Z; got "${text}"`,
  );
}

function parseLimit(text: string | undefined, defaulted: boolean): number | undefined {
  if (text === undefined) return defaulted ? DEFAULT_EVENTS_LIMIT : undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 100_000)
    throw new UsageError(`--limit must be a whole number from 1 to 100000, got "${text}"`);
  return Number(text);
}
