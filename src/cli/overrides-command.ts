import { OverrideStore } from '../evaluator/override-store';
import { redisTimeMs } from '../evaluator/redis-time';
import { renderOverridesTable } from '../status/render-overrides';
import { styleFor } from '../status/text-style';
import { type Command, ExitCode, UsageError } from './cli-io';
import { configOption, loadOperatorConfig } from './config-flag';
import { runOperatorCommand } from './operator-error';
import { withOperatorRedis } from './operator-redis';
import { parseArgs } from './parse-args';
import { selectServices } from './service-argument';

/**
 * `quorumdns overrides [service] [--json] [--config path]...`: the overrides in force (freezes and forced
 * pools), with who set them, why, and when they expire. Expired overrides are never listed: they no longer
 * decide anything. `--json`: `{ schemaVersion: 1, generatedAt, overrides: [{ service, ...override, remainingMs }] }`.
 */
export const overridesCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs(args, {
    ...configOption,
    json: { type: 'boolean', default: false },
  });
  if (positionals.length > 1) throw new UsageError(`one service at most, got ${positionals.join(' ')}`);
  return runOperatorCommand('overrides', io, async () => {
    const config = await loadOperatorConfig(values.config, io);
    const services = selectServices(config, positionals[0]).map((service) => service.name);
    const { now, byService } = await withOperatorRedis(config, io, async ({ redis, keys }) => {
      const time = await redisTimeMs(redis);
      return { now: time, byService: await new OverrideStore(redis, keys).listAll(services, time) };
    });
    const entries = services.map((service) => ({ service, overrides: byService.get(service) ?? [] }));
    if (values.json) {
      const overrides = entries.flatMap(({ service, overrides: list }) =>
        list.map((override) => ({
          service,
          ...override,
          remainingMs: override.expiresAt === undefined ? null : override.expiresAt - now,
        })),
      );
      io.stdout(`${JSON.stringify({ schemaVersion: 1, generatedAt: now, overrides }, null, 2)}\n`);
      return ExitCode.ok;
    }
    const withAny = entries.filter((entry) => entry.overrides.length > 0);
    if (withAny.length === 0) {
      io.stdout(`no overrides in force${positionals[0] === undefined ? '' : ` for ${positionals[0]}`}\n`);
      return ExitCode.ok;
    }
    const lines = renderOverridesTable(withAny, now, { showService: true, style: styleFor(io) });
    io.stdout(`${lines.join('\n')}\n`);
    return ExitCode.ok;
  });
};
