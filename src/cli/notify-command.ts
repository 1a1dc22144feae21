/**
 * `quorumdns notify <subcommand>`: notification delivery by hand.
 *
 * - `notify test <channel> [--config path]`: builds a test message, sends it to the channel now (same
 *   formatter, secrets and timeout as the worker) and prints the remote's status and answer. Exit 0 when the
 *   remote accepted it, 1 otherwise.
 * - `notify failed [--json] [--config path]`: the undelivered messages (given up on after a permanent answer
 *   or every attempt), newest first: id, service, channel, events, reason, attempts, failed at.
 *   `--json`: `{ schemaVersion: 1, failed: [...] }`.
 * - `notify retry [--all | <id>...] [--config path]`: queues them again with fresh attempts (a running
 *   `quorumdns evaluate` delivers them). Exit 1 when an id is not listed.
 *
 * Webhook URLs, routing keys and signing secrets never appear in the output: targets are printed redacted
 * and the remote's answer is scrubbed of them.
 */
import { Queue } from 'bullmq';
import { didYouMean } from '../config/did-you-mean';
import type { Config, NotificationChannel } from '../config/types';
import { QueueName } from '../evaluator/queues';
import { buildTestNotification } from '../notify/build-notification';
import { formatterFor } from '../notify/channels/index';
import { deliverNotification } from '../notify/deliver';
import { DeliveryError } from '../notify/delivery-errors';
import { type FailedNotification, FailedNotificationStore } from '../notify/failed-notifications';
import { type CliIo, type Command, ExitCode, UsageError } from './cli-io';
import { configOption, loadOperatorConfig } from './config-flag';
import { OperatorCommandError, runOperatorCommand } from './operator-error';
import { withOperatorRedis } from './operator-redis';
import { parseArgs } from './parse-args';

const SUBCOMMANDS = ['test', 'failed', 'retry'] as const;

export const notifyCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs(args, {
    ...configOption,
    json: { type: 'boolean', default: false },
    all: { type: 'boolean', default: false },
  });
  const [subcommand, ...rest] = positionals;
  if (subcommand === undefined) throw new UsageError(`a subcommand is required: ${SUBCOMMANDS.join(', ')}`);
  if (!(SUBCOMMANDS as readonly string[]).includes(subcommand)) {
    throw new UsageError(
      `unknown subcommand "${subcommand}"${didYouMean(subcommand, SUBCOMMANDS)}; use ${SUBCOMMANDS.join(', ')}`,
    );
  }
  if (values.json && subcommand !== 'failed') throw new UsageError('--json goes with notify failed');
  if (values.all && subcommand !== 'retry') throw new UsageError('--all goes with notify retry');
  return runOperatorCommand('notify', io, async () => {
    switch (subcommand) {
      case 'test': {
        if (rest.length !== 1) throw new UsageError('notify test takes one channel name');
        const config = await loadOperatorConfig(values.config, io);
        return testChannel(config, requireChannel(config, rest[0] as string), io);
      }
      case 'failed': {
        if (rest.length > 0) throw new UsageError(`notify failed takes no arguments, got ${rest.join(' ')}`);
        const config = await loadOperatorConfig(values.config, io);
        return listFailed(config, io, values.json);
      }
      default: {
        if (values.all === rest.length > 0) {
          throw new UsageError(
            'notify retry takes either --all or the ids to retry (see quorumdns notify failed)',
          );
        }
        const config = await loadOperatorConfig(values.config, io);
        return retryFailed(config, io, values.all ? 'all' : rest);
      }
    }
  });
};

function requireChannel(config: Config, name: string): NotificationChannel {
  const known = Object.keys(config.notifications).sort();
  const channel = Object.prototype.hasOwnProperty.call(config.notifications, name)
    ? config.notifications[name]
    : undefined;
  if (channel === undefined) {
    throw new OperatorCommandError(
      `unknown channel "${name}"${didYouMean(name, known)}; known channels: ${known.join(', ') || '(none)'}`,
      'EUNKNOWN_CHANNEL',
      2,
    );
  }
  return channel;
}

async function testChannel(config: Config, channel: NotificationChannel, io: CliIo): Promise<number> {
  const notification = buildTestNotification({ config, channel: channel.name, now: Date.now() });
  const label = `channel ${channel.name} (${channel.type})`;
  try {
    const receipt = await deliverNotification(channel, notification, {
      formatter: formatterFor(channel.type),
      env: io.env,
    });
    io.stdout(
      `${label}: POST ${receipt.target} -> ${receipt.status} in ${receipt.durationMs} ms: accepted\n` +
        `answer: ${receipt.answer === '' ? '(empty)' : receipt.answer}\n`,
    );
    return ExitCode.ok;
  } catch (error) {
    if (!(error instanceof DeliveryError)) throw error;
    const lines = [`quorumdns notify: ${label}: the test message was not accepted: ${error.message}`];
    lines.push(`status: ${error.status ?? '(no answer)'}`);
    if (error.status !== undefined)
      lines.push(`answer: ${error.answer === '' ? '(empty)' : (error.answer ?? '')}`);
    io.stderr(`${lines.join('\n')}\n`);
    return ExitCode.failure;
  }
}

/** One failure as `notify failed --json` prints it (the stored message itself is left out: it may be large). */
function failureJson(failure: FailedNotification): Record<string, unknown> {
  return {
    id: failure.id,
    service: failure.service,
    channel: failure.channel,
    kind: failure.kind,
    eventIds: failure.eventIds,
    drill: failure.drill,
    reason: failure.reason,
    code: failure.code,
    status: failure.status ?? null,
    attempts: failure.attempts,
    firstFailedAt: failure.firstFailedAt,
    failedAt: failure.failedAt,
    retries: failure.retries,
    notification:
      failure.notification === undefined
        ? null
        : { id: failure.notification.id, kind: failure.notification.kind, title: failure.notification.title },
  };
}

async function listFailed(config: Config, io: CliIo, json: boolean): Promise<number> {
  const failures = await withOperatorRedis(config, io, ({ redis, keys }) =>
    new FailedNotificationStore(redis, keys).listed(),
  );
  if (json) {
    io.stdout(`${JSON.stringify({ schemaVersion: 1, failed: failures.map(failureJson) }, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (failures.length === 0) {
    io.stdout('no undelivered notifications\n');
    return ExitCode.ok;
  }
  const lines = [
    `${failures.length} undelivered notification${failures.length === 1 ? '' : 's'} (newest first):`,
  ];
  for (const failure of failures) {
    const what =
      failure.kind === 'reminder' ? 'reminder' : `events ${failure.eventIds.join(' ') || '(none)'}`;
    lines.push(
      '',
      failure.id,
      `  service ${failure.service}, channel ${failure.channel}${failure.drill ? ' [DRILL]' : ''}, ${what}`,
      `  ${failure.attempts} attempt${failure.attempts === 1 ? '' : 's'}${failure.retries > 0 ? ` (${failure.retries} retr${failure.retries === 1 ? 'y' : 'ies'})` : ''}, failed at ${new Date(failure.failedAt).toISOString()}`,
      `  reason: ${failure.reason}`,
    );
  }
  lines.push('', 'send again with: quorumdns notify retry <id>... (or --all)');
  io.stdout(`${lines.join('\n')}\n`);
  return ExitCode.ok;
}

async function retryFailed(config: Config, io: CliIo, which: 'all' | string[]): Promise<number> {
  return withOperatorRedis(config, io, async ({ redis, keys }) => {
    const store = new FailedNotificationStore(redis, keys);
    const listed = new Set((await store.listed(10_000)).map((failure) => failure.id));
    const ids = which === 'all' ? [...listed] : which;
    if (ids.length === 0) {
      io.stdout('no undelivered notifications to retry\n');
      return ExitCode.ok;
    }
    // A shared connection: closing the queue leaves the command's own client open.
    const queue = new Queue(QueueName.notify, { connection: redis, prefix: keys.queuePrefix });
    let missing = 0;
    try {
      for (const id of ids) {
        if (!listed.has(id)) {
          missing += 1;
          io.stderr(
            `quorumdns notify: ${id} is not listed as undelivered (delivered, already queued again, or mistyped; see quorumdns notify failed)\n`,
          );
          continue;
        }
        const queued = await store.requeue(id, queue);
        io.stdout(`queued again: ${id} (retry ${queued.retries}, fresh attempts)\n`);
      }
    } finally {
      await queue.close();
    }
    return missing > 0 ? ExitCode.failure : ExitCode.ok;
  });
}
