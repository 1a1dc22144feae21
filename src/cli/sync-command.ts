/**
 * `quorumdns sync --config <path...> [--service s] [--dry-run] [--format text|json] [--by who]`
 *
 * Aligns every provider target of every service (or of `--service`) with the current decision in Redis — or,
 * for a service never evaluated, with the all-healthy answer (generation 0) — creating the managed records
 * and owner records where missing. Each target goes through the apply processor (lease, applied status,
 * `dns-applied` / `dns-apply-failed` events and their notifications), so a sync and an evaluator's apply
 * never interleave. A dry drill in progress makes the target a plan only, like the evaluator's applies.
 *
 * `--dry-run` reads and plans only: no lease, no status, no event, no provider write.
 *
 * Exit 0 when every target is in sync (or planned, with --dry-run), 1 when any target failed (the others are
 * still synced; each failure is printed with the provider's message), 2 for a wrong command line.
 */
import { type CliIo, type Command, ExitCode, UsageError } from './cli-io';
import { configOption, loadOperatorConfig } from './config-flag';
import { runOperatorCommand } from './operator-error';
import { operatorIdentity } from './operator-identity';
import { withOperatorRedis } from './operator-redis';
import { parseArgs } from './parse-args';
import { selectServices } from './service-argument';
import {
  type CommandProviders,
  openCommandSession,
  realProviders,
  runTargets,
  SYNC_LEASE_WAIT_MS,
  targetName,
  type TargetRun,
  targetsOf,
} from './target-runs';
import { planViews } from './plan-command';
import { describeChangesBriefly, syncDetails } from '../providers/apply-summary';
import { renderPlanText } from '../providers/render-plan';
import type { RecordChange } from '../providers/record-set';

/** The stable JSON shape of `sync --format json` (documented in docs/operations.md). */
export interface SyncJson {
  schemaVersion: 1;
  dryRun: boolean;
  /** Every target synced (or planned). */
  ok: boolean;
  targets: Array<{
    service: string;
    provider: string;
    providerType: string;
    zone: string;
    mode: string;
    /** applied, unchanged, dry-run (a dry drill is running), planned (--dry-run), skipped, failed. */
    outcome: string;
    generation: number | null;
    source: 'decision' | 'initial' | null;
    changes: RecordChange[];
    changeIds: string[];
    message: string | null;
    error: { code: string; message: string; remoteCode?: string } | null;
  }>;
}

export const syncCommand: Command = (args, io) => runSyncCommand(args, io, realProviders);

export async function runSyncCommand(
  args: string[],
  io: CliIo,
  providers: CommandProviders,
): Promise<number> {
  const { values, positionals } = parseArgs(args, {
    ...configOption,
    service: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    format: { type: 'string', default: 'text' },
    by: { type: 'string' },
  });
  const format = values.format;
  if (format !== 'text' && format !== 'json') {
    throw new UsageError(`--format must be text or json, got "${format}"`);
  }
  const dryRun = values['dry-run'] === true;
  const by = `sync:${operatorIdentity(values.by, io.env)}`;
  // `--config a.yaml b.yaml` reads naturally, like `quorumdns evaluate`: positionals are more config paths.
  const configFlag = [...(values.config ?? []), ...positionals];
  return runOperatorCommand('sync', io, async () => {
    const config = await loadOperatorConfig(configFlag.length > 0 ? configFlag : undefined, io);
    const services = selectServices(config, values.service);
    const targets = targetsOf(config, services);
    const runs = await withOperatorRedis(config, io, async ({ redis, keys }) => {
      const session = openCommandSession({ config, redis, keys, io, by, notify: !dryRun, providers });
      try {
        return await runTargets(
          session.processor,
          targets,
          dryRun ? { planOnly: true } : { leaseWaitMs: SYNC_LEASE_WAIT_MS },
        );
      } finally {
        await session.close();
      }
    });
    const failed = runs.filter((run) => run.error !== undefined).length;
    if (format === 'json') {
      io.stdout(`${JSON.stringify(syncJson(runs, dryRun), null, 2)}\n`);
    } else if (dryRun) {
      io.stdout(renderPlanText(planViews(runs)));
      io.stdout('dry run: nothing was changed\n');
    } else {
      io.stdout(renderSyncText(runs));
    }
    if (targets.length === 0) io.stderr('quorumdns sync: no service has a provider target\n');
    return failed > 0 ? ExitCode.failure : ExitCode.ok;
  });
}

function renderSyncText(runs: TargetRun[]): string {
  const lines = runs.map((run) => `${targetName(run.ref)}: ${outcomeText(run)}`);
  const failed = runs.filter((run) => run.error !== undefined).length;
  lines.push(
    `sync: ${runs.length - failed} target${runs.length - failed === 1 ? '' : 's'} in sync, ${failed} failed`,
  );
  return `${lines.join('\n')}\n`;
}

function outcomeText(run: TargetRun): string {
  if (run.error !== undefined) {
    const remote = run.error.remoteCode === undefined ? '' : ` [${run.error.remoteCode}]`;
    return `FAILED ${run.error.code}${remote}: ${run.error.message}`;
  }
  const result = run.result;
  if (result === undefined) return 'not run';
  switch (result.outcome) {
    case 'skipped':
      return `skipped: ${result.reason}`;
    case 'dropped':
      return `skipped: ${result.reason}`;
    case 'busy':
      return `busy: lease held by ${result.holder}`;
    case 'applied': {
      const { sync } = result;
      const inSyncAfterMs =
        sync.inSyncAt !== undefined && sync.submittedAt !== undefined
          ? sync.inSyncAt - sync.submittedAt
          : undefined;
      const details = syncDetails(result.changeIds, inSyncAfterMs);
      return `applied generation ${result.generation}: ${describeChangesBriefly(result.plan.changes)}${details === '' ? '' : ` (${details})`}`;
    }
    case 'unchanged':
      return `in sync at generation ${result.generation}${result.source === 'initial' ? ' (all-healthy answer, no decision yet)' : ''}, nothing to change`;
    case 'dry-run':
      return `a dry drill is running: planned ${result.plan.changes.length} change${result.plan.changes.length === 1 ? '' : 's'}, nothing written`;
    case 'planned':
      return `planned ${result.plan.changes.length} change${result.plan.changes.length === 1 ? '' : 's'}`;
  }
}

function syncJson(runs: TargetRun[], dryRun: boolean): SyncJson {
  return {
    schemaVersion: 1,
    dryRun,
    ok: runs.every((run) => run.error === undefined),
    targets: runs.map((run) => {
      const result = run.result;
      const planned = result !== undefined && 'plan' in result ? result : undefined;
      const error =
        run.error === undefined
          ? null
          : {
              code: run.error.code,
              message: run.error.message,
              ...(run.error.remoteCode === undefined ? {} : { remoteCode: run.error.remoteCode }),
            };
      return {
        service: run.ref.service.name,
        provider: run.ref.target.provider,
        providerType: run.ref.providerType,
        zone: run.ref.target.zone,
        mode: run.ref.target.mode,
        outcome: run.error !== undefined ? 'failed' : (result?.outcome ?? 'failed'),
        generation: planned?.generation ?? null,
        source: planned?.source ?? null,
        changes: planned?.plan.changes ?? [],
        changeIds: planned?.changeIds ?? [],
        message:
          planned?.message ??
          (result?.outcome === 'skipped' || result?.outcome === 'dropped' ? result.reason : null),
        error,
      };
    }),
  };
}
