import { type Command, ExitCode, UsageError } from './cli-io';
import { configOption, loadOperatorConfig } from './config-flag';
import { runOperatorCommand } from './operator-error';
import { operatorIdentity, requireReason } from './operator-identity';
import { activeOverridesOf, removeOverrides } from './operator-override';
import { withOperatorRedis } from './operator-redis';
import { parseArgs } from './parse-args';
import { requireService } from './service-argument';

/**
 * `quorumdns unfreeze <service> [--reason <text>] [--by who] [--config path]...`
 *
 * Removes every freeze of the service (audited) and asks for an evaluation, so a change the freeze withheld
 * is published at once. Not frozen: says so and exits 0 (unfreezing is idempotent, safe in a runbook).
 */
export const unfreezeCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs(args, {
    ...configOption,
    reason: { type: 'string' },
    by: { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('give exactly one service');
  const reason = values.reason === undefined ? undefined : requireReason(values.reason);
  const by = operatorIdentity(values.by, io.env);
  return runOperatorCommand('unfreeze', io, async () => {
    const config = await loadOperatorConfig(values.config, io);
    const service = requireService(config, positionals[0]);
    const removed = await withOperatorRedis(config, io, async ({ redis, keys }) => {
      const { overrides } = await activeOverridesOf(redis, keys, service.name);
      const freezes = overrides.filter((override) => override.kind === 'freeze');
      return removeOverrides({ redis, keys, service, by }, freezes, reason);
    });
    if (removed.length === 0) {
      io.stdout(`${service.name} is not frozen; nothing to do\n`);
    } else {
      io.stdout(
        `${service.name} unfrozen by ${by} (removed ${removed.map((override) => override.id).join(', ')})\n`,
      );
    }
    return ExitCode.ok;
  });
};
