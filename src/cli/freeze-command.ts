import { formatTime } from '../quorum/format-duration';
import { type Command, ExitCode, UsageError } from './cli-io';
import { configOption, loadOperatorConfig } from './config-flag';
import { runOperatorCommand } from './operator-error';
import { operatorIdentity, requireReason } from './operator-identity';
import { setOverride } from './operator-override';
import { withOperatorRedis } from './operator-redis';
import { DEFAULT_FREEZE_DURATION, overrideDuration } from './override-duration';
import { parseArgs } from './parse-args';
import { requireService } from './service-argument';

/**
 * `quorumdns freeze <service> --reason <text> [--for 1h] [--by who] [--config path]...`
 *
 * Freezes the service: the evaluator keeps computing verdicts but publishes no automatic DNS change until the
 * freeze expires (default 1h, at most 7d) or `quorumdns unfreeze` removes it. Audited (who, why, until when).
 */
export const freezeCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs(args, {
    ...configOption,
    reason: { type: 'string' },
    for: { type: 'string' },
    by: { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('give exactly one service');
  const reason = requireReason(values.reason);
  const duration = overrideDuration(values.for, DEFAULT_FREEZE_DURATION);
  const by = operatorIdentity(values.by, io.env);
  return runOperatorCommand('freeze', io, async () => {
    const config = await loadOperatorConfig(values.config, io);
    const service = requireService(config, positionals[0]);
    const { override } = await withOperatorRedis(config, io, ({ redis, keys }) =>
      setOverride({ redis, keys, service, by }, { kind: 'freeze', reason, duration }),
    );
    io.stdout(
      `${service.name} frozen by ${by} until ${formatTime(override.expiresAt ?? 0)} (override ${override.id}); ` +
        `undo with: quorumdns unfreeze ${service.name}\n`,
    );
    return ExitCode.ok;
  });
};
