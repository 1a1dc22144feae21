/**
 * `quorumdns dns-server --config <path...> [--listen 127.0.0.1:5353]`
 *
 * Serves every `local` provider's zone of the config over DNS (UDP and TCP on one port) from the deployment's
 * Redis, so the lab's answers can be queried: `dig @127.0.0.1 -p 5353 api.lab.test`. Zones start empty apart
 * from their SOA and NS; `quorumdns sync` (or the evaluator's applies) fill them.
 *
 * Prints one line `quorumdns dns-server listening on <host>:<port> (UDP and TCP); zones: ...` once it answers
 * (`--listen 127.0.0.1:0` picks a free port: read it from that line). Runs until SIGTERM or SIGINT, then
 * closes its sockets and exits 0. Loopback is the default: a lab server is not meant for the network.
 * While Redis is away it keeps answering from the zones it last loaded.
 *
 * Exit 1: invalid config, no `local` provider, Redis unreachable at start, the port in use; 2: bad flags.
 */
import { isIP } from 'node:net';
import { type DnsServer, DnsServerError, startDnsServer } from '../dns-server/dns-server';
import type { LocalProvider } from '../config/types';
import { type CliIo, type Command, ExitCode, UsageError } from './cli-io';
import { configOption, loadOperatorConfig } from './config-flag';
import { OperatorCommandError, runOperatorCommand } from './operator-error';
import { connectOperatorRedis } from './operator-redis';
import { parseArgs } from './parse-args';
import type { SignalSource } from './probe-command';

export const DEFAULT_LISTEN = '127.0.0.1:5353';

export interface DnsServerCommandDeps {
  /** @defaultValue process */
  signals?: SignalSource;
}

/** `host:port`, `[v6]:port` or `:port` (loopback); port 0 = any free port. */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const host = match ? (match[1] ?? match[2] ?? '') : '';
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65_535) {
    throw new UsageError(`--listen must be host:port (e.g. 127.0.0.1:5353, [::1]:5353, :0), got "${text}"`);
  }
  const chosen = host === '' ? '127.0.0.1' : host;
  if (isIP(chosen) === 0) throw new UsageError(`--listen needs an IP address, got "${chosen}"`);
  return { host: chosen, port };
}

export function createDnsServerCommand(deps: DnsServerCommandDeps = {}): Command {
  return (args, io) =>
    runOperatorCommand('dns-server', io, async () => {
      const { values, positionals } = parseArgs(args, {
        ...configOption,
        listen: { type: 'string', default: DEFAULT_LISTEN },
      });
      const listen = parseListen(values.listen);
      // `--config a.yaml b.yaml` reads naturally, like the other commands: positionals are more config paths.
      const configFlag = [...(values.config ?? []), ...positionals];
      const config = await loadOperatorConfig(configFlag.length > 0 ? configFlag : undefined, io);
      const locals = Object.values(config.providers).filter(
        (provider): provider is LocalProvider => provider.type === 'local',
      );
      if (locals.length === 0) {
        throw new OperatorCommandError(
          'the configuration has no local provider, so there is no zone to serve ' +
            '(add one: providers: { lab: { type: local, zone: lab.test } })',
          'ENOZONES',
          1,
        );
      }

      const connection = await connectOperatorRedis(config, io);
      let server: DnsServer;
      try {
        server = await startDnsServer({
          redis: connection.redis,
          keyPrefix: config.deployment.redis.keyPrefix,
          zones: locals.map((provider) => provider.zone),
          host: listen.host,
          port: listen.port,
          log: (level, message, fields) =>
            io.stderr(
              `quorumdns dns-server: ${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`,
            ),
        });
      } catch (error) {
        await connection.close();
        if (error instanceof DnsServerError) throw new OperatorCommandError(error.message, error.code, 1);
        throw new OperatorCommandError(
          `cannot load the zones from Redis at ${connection.displayUrl}: ${error instanceof Error ? error.message : String(error)}`,
          'EREDIS',
          1,
        );
      }

      const address = `${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`;
      const zones = server
        .zones()
        .map(({ zone, serial }) => `${zone} (serial ${serial})`)
        .join(', ');
      io.stdout(`quorumdns dns-server listening on ${address} (UDP and TCP); zones: ${zones}\n`);
      return waitForStop(deps.signals ?? process, io, async () => {
        await server.close();
        await connection.close();
      });
    });
}

function waitForStop(signals: SignalSource, io: CliIo, stop: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => () => {
      signals.off('SIGTERM', onTerm);
      signals.off('SIGINT', onInt);
      io.stdout(`quorumdns dns-server: ${signal}: stopping\n`);
      stop().then(
        () => resolve(ExitCode.ok),
        (error: unknown) => {
          io.stderr(
            `quorumdns dns-server: stop failed: ${error instanceof Error ? error.message : String(error)}\n`,
          );
          resolve(ExitCode.failure);
        },
      );
    };
    const onTerm = onSignal('SIGTERM');
    const onInt = onSignal('SIGINT');
    signals.on('SIGTERM', onTerm);
    signals.on('SIGINT', onInt);
  });
}

export const dnsServerCommand: Command = createDnsServerCommand();
