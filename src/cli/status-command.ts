import { DEFAULT_STATUS_EVENTS, readStatusSnapshot } from '../status/status-snapshot';
import { renderStatusText } from '../status/render-status-text';
import { styleFor } from '../status/text-style';
import { type Command, ExitCode, UsageError } from './cli-io';
import { configOption, loadOperatorConfig } from './config-flag';
import { runOperatorCommand } from './operator-error';
import { withOperatorRedis } from './operator-redis';
import { selectServices } from './service-argument';
import { parseArgs } from './parse-args';

/**
 * `quorumdns status [service] [--json] [--events n] [--config path]...`
 *
 * Per service: the decision, pool verdicts, probe regions, the endpoints × probe regions matrix of opinions,
 * why, overrides, drill and the newest events. `--json` prints the `StatusSnapshot` (schemaVersion 1, see
 * docs/operations.md). Exit 0 whatever the services' health (status reports; it does not judge), 1 when
 * the config is invalid or Redis is unreachable, 2 for an unknown service or a wrong command line.
 */
export const statusCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs(args, {
    ...configOption,
    json: { type: 'boolean', default: false },
    events: { type: 'string' },
  });
  if (positionals.length > 1) throw new UsageError(`one service at most, got ${positionals.join(' ')}`);
  const eventCount = parseEventCount(values.events);
  return runOperatorCommand('status', io, async () => {
    const config = await loadOperatorConfig(values.config, io);
    const services = selectServices(config, positionals[0]);
    const snapshot = await withOperatorRedis(config, io, ({ redis, keys }) =>
      readStatusSnapshot({ redis, keys, config, services, eventCount }),
    );
    io.stdout(
      values.json ? `${JSON.stringify(snapshot, null, 2)}\n` : renderStatusText(snapshot, styleFor(io)),
    );
    return ExitCode.ok;
  });
};

function parseEventCount(text: string | undefined): number {
  if (text === undefined) return DEFAULT_STATUS_EVENTS;
  if (!/^\d+$/.test(text) || Number(text) > 1000)
    throw new UsageError(`--events must be a whole number from 0 to 1000, got "${text}"`);
  return Number(text);
}
