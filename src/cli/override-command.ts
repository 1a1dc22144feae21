import type { Config, Service } from '../config/types';
import { OverrideStore } from '../evaluator/override-store';
import { redisTimeMs } from '../evaluator/redis-time';
import type { Override } from '../quorum/types';
import { overrideEffect } from '../status/render-overrides';
import { formatTime } from '../quorum/format-duration';
import { type CliIo, type Command, ExitCode, UsageError } from './cli-io';
import { configOption, loadOperatorConfig } from './config-flag';
import { OperatorCommandError, runOperatorCommand } from './operator-error';
import { operatorIdentity, requireReason } from './operator-identity';
import { activeOverridesOf, removeOverrides, setOverride } from './operator-override';
import { type OperatorRedis, withOperatorRedis } from './operator-redis';
import { DEFAULT_FORCE_POOL_DURATION, overrideDuration } from './override-duration';
import { parseArgs } from './parse-args';
import { requirePool, requireService } from './service-argument';

/**
 * `quorumdns override <service> --pool <p> --drain|--restore --reason <text> [--for 4h] [--by who]`
 * `quorumdns override <service> --pool <p> --clear` / `quorumdns override [<service>] --clear <id>`
 *
 * `--drain` forces the pool out of the answer whatever the quorum says, `--restore` keeps it in whatever the
 * quorum says (the core's fail-open still never publishes an empty answer). A new override on a pool replaces
 * the one it had. Every change is audited and expires on its own (default 4h, at most 7d).
 */
export const overrideCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs(args, {
    ...configOption,
    pool: { type: 'string' },
    drain: { type: 'boolean', default: false },
    restore: { type: 'boolean', default: false },
    clear: { type: 'boolean', default: false },
    reason: { type: 'string' },
    for: { type: 'string' },
    by: { type: 'string' },
  });
  const actions = (['drain', 'restore', 'clear'] as const).filter((action) => values[action]);
  if (actions.length !== 1) throw new UsageError('give exactly one of --drain, --restore or --clear');
  const by = operatorIdentity(values.by, io.env);

  if (values.clear) {
    if (values.for !== undefined) throw new UsageError('--for makes no sense with --clear');
    const reason = values.reason === undefined ? undefined : requireReason(values.reason);
    if (positionals.length > 2)
      throw new UsageError('--clear takes [<service>] <id>, or <service> --pool <p>');
    return runOperatorCommand('override', io, async () => {
      const config = await loadOperatorConfig(values.config, io);
      return clearOverrides(config, io, { positionals, pool: values.pool, by, reason });
    });
  }

  if (positionals.length !== 1) throw new UsageError('give exactly one service');
  const reason = requireReason(values.reason);
  const duration = overrideDuration(values.for, DEFAULT_FORCE_POOL_DURATION);
  const direction = values.drain ? 'out' : 'in';
  return runOperatorCommand('override', io, async () => {
    const config = await loadOperatorConfig(values.config, io);
    const service = requireService(config, positionals[0]);
    const pool = requirePool(service, values.pool);
    const { override, replaced } = await withOperatorRedis(config, io, async ({ redis, keys }) => {
      const before = await activeOverridesOf(redis, keys, service.name);
      const change = await setOverride(
        { redis, keys, service, by },
        { kind: 'force-pool', pool: pool.name, direction, reason, duration },
      );
      const previous = before.overrides.filter(
        (candidate) => candidate.kind === 'force-pool' && candidate.pool === pool.name,
      );
      const replaced = await removeOverrides(
        { redis, keys, service, by },
        previous,
        `replaced by ${change.override.id}`,
      );
      return { override: change.override, replaced };
    });
    const replacedNote =
      replaced.length === 0 ? '' : `; replaces ${replaced.map((old) => old.id).join(', ')}`;
    io.stdout(
      `${service.name}: ${overrideEffect(override)} by ${by} until ${formatTime(override.expiresAt ?? 0)} ` +
        `(override ${override.id}${replacedNote}); undo with: quorumdns override ${service.name} --clear ${override.id}\n`,
    );
    return ExitCode.ok;
  });
};

interface ClearRequest {
  positionals: string[];
  pool: string | undefined;
  by: string;
  reason: string | undefined;
}

async function clearOverrides(config: Config, io: CliIo, request: ClearRequest): Promise<number> {
  const { positionals, pool: poolName } = request;
  // Forms: <service> --pool <p> | <service> <id> | <id> (searched in every service).
  let service: Service | undefined;
  let id: string | undefined;
  if (poolName !== undefined) {
    if (positionals.length !== 1) throw new UsageError('--pool <p> --clear takes exactly one service');
    service = requireService(config, positionals[0]);
    requirePool(service, poolName);
  } else if (positionals.length === 2) {
    service = requireService(config, positionals[0]);
    id = positionals[1];
  } else if (positionals.length === 1) {
    if (Object.prototype.hasOwnProperty.call(config.services, positionals[0] as string)) {
      throw new UsageError(
        `--clear needs the override id (see quorumdns overrides ${positionals[0]}) or --pool <p>`,
      );
    }
    id = positionals[0];
  } else {
    throw new UsageError('--clear needs an override id, or a service and --pool <p>');
  }

  return withOperatorRedis(config, io, async (connection) => {
    const target = await findTargets(config, connection, { service, id, pool: poolName });
    const removed = await removeOverrides(
      { redis: connection.redis, keys: connection.keys, service: target.service, by: request.by },
      target.overrides,
      request.reason,
    );
    if (removed.length === 0) {
      io.stdout(`${target.service.name}: no override ${target.what} is in force; nothing to do\n`);
    } else {
      io.stdout(
        `${target.service.name}: removed ${removed.map((o) => `${o.id} (${overrideEffect(o)})`).join(', ')} by ${request.by}\n`,
      );
    }
    return ExitCode.ok;
  });
}

async function findTargets(
  config: Config,
  { redis, keys }: OperatorRedis,
  query: { service: Service | undefined; id: string | undefined; pool: string | undefined },
): Promise<{ service: Service; overrides: Override[]; what: string }> {
  if (query.service !== undefined) {
    const service = query.service;
    const { overrides } = await activeOverridesOf(redis, keys, service.name);
    if (query.pool !== undefined) {
      const onPool = overrides.filter((o) => o.kind === 'force-pool' && o.pool === query.pool);
      return { service, overrides: onPool, what: `on pool ${query.pool}` };
    }
    const match = overrides.filter((o) => o.id === query.id);
    if (match.length > 0) return { service, overrides: match, what: String(query.id) };
    throw new OperatorCommandError(
      `service ${service.name} has no override "${query.id}" in force; in force: ${overrides.map((o) => o.id).join(', ') || 'none'}`,
      'EUNKNOWN_OVERRIDE',
      2,
    );
  }
  // An id alone: look in every service at once (one pipelined read).
  const now = await redisTimeMs(redis);
  const all = await new OverrideStore(redis, keys).listAll(Object.keys(config.services), now);
  for (const [name, overrides] of all) {
    const match = overrides.filter((o) => o.id === query.id);
    if (match.length > 0)
      return { service: config.services[name] as Service, overrides: match, what: String(query.id) };
  }
  throw new OperatorCommandError(
    `no service has an override "${query.id}" in force (see quorumdns overrides)`,
    'EUNKNOWN_OVERRIDE',
    2,
  );
}
