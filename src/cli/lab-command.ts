/**
 * `quorumdns lab [--keep] [--json-timeline path]` — what `npm run demo` runs.
 *
 * Starts the whole system on loopback (Redis, three data centers, three probe regions, the evaluator, the lab
 * DNS server, a webhook receiver), runs the outage-and-recovery scenario and prints its timeline
 * (src/lab/run-lab.ts, docs/lab.md). Exit 0 when every step happened, 1 when one did not (the message names
 * it) or the lab could not start (no redis-server and no REDIS_URL, a child that died), 2 for bad flags.
 * With `--keep` it keeps running after the scenario until SIGINT/SIGTERM, then stops everything (exit 0).
 */
import { isAbsolute, resolve } from 'node:path';
import { runLab } from '../lab/run-lab';
import { type Command, UsageError } from './cli-io';
import { parseArgs } from './parse-args';

export const labCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs(args, {
    keep: { type: 'boolean', default: false },
    'json-timeline': { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals.join(' ')}`);
  const jsonTimeline = values['json-timeline'];
  if (jsonTimeline !== undefined && jsonTimeline.trim() === '') {
    throw new UsageError('--json-timeline needs a file path');
  }
  return runLab({
    io,
    keep: values.keep,
    ...(jsonTimeline !== undefined
      ? { jsonTimeline: isAbsolute(jsonTimeline) ? jsonTimeline : resolve(io.cwd, jsonTimeline) }
      : {}),
  });
};
