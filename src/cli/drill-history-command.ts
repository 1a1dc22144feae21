/**
 * `quorumdns drill history [--service <s>] [--limit 20] [--json] [--config path...]`: the drill runs stored in
 * Redis (`drillRuns`), newest first. Scheduled drills run inside the evaluator and leave no report file
 * anywhere an operator would look: this is where they are seen. Exit 0; 1 when Redis is unreachable.
 */
import type { Config } from '../config/types';
import { DRILL_RUNS_MAX_LENGTH, DrillStore } from '../drill/drill-store';
import { renderDrillHistory } from '../drill/render-drill-history';
import { type CliIo, ExitCode, UsageError } from './cli-io';
import { withOperatorRedis } from './operator-redis';
import { selectServices } from './service-argument';

/** Runs listed per service unless `--limit` says otherwise. */
export const DEFAULT_HISTORY_LIMIT = 20;

export interface DrillHistoryInput {
  /** One service (`--service`), or every service of the config. */
  service?: string;
  limit: number;
  json: boolean;
}

/** `--limit`: 1 up to what the stream keeps at most. */
export function parseHistoryLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_HISTORY_LIMIT;
  const max = DRILL_RUNS_MAX_LENGTH;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > max) {
    throw new UsageError(`--limit must be a whole number from 1 to ${max}, got "${text}"`);
  }
  return Number(text);
}

export async function drillHistoryCommand(
  config: Config,
  io: CliIo,
  input: DrillHistoryInput,
): Promise<number> {
  const services = selectServices(config, input.service).map((service) => service.name);
  const listings = await withOperatorRedis(config, io, ({ redis, keys }) =>
    new DrillStore(redis, keys).runsOf(services, input.limit),
  );
  io.stdout(input.json ? `${JSON.stringify(listings, null, 2)}\n` : renderDrillHistory(listings));
  return ExitCode.ok;
}
