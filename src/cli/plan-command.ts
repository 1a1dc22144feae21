/**
 * `quorumdns plan --config <path...> [--service s] [--format text|markdown|json]`
 *
 * What `quorumdns sync` would change, per provider target: the same read and plan as a sync (the current
 * decision in Redis, or the all-healthy answer for a service never evaluated), with no lease, no status
 * and no call that writes. `--format markdown` is made for a pull-request comment.
 *
 * Exit codes, like `terraform plan -detailed-exitcode`: 0 nothing would change, 2 changes are pending, 1 an
 * error (a target could not be planned, invalid config, Redis unreachable, or a wrong command line — which
 * other commands report as 2, but here 2 must only ever mean "changes pending").
 */
import { type CliIo, type Command, ExitCode, UsageError } from './cli-io';
import { configOption, loadOperatorConfig } from './config-flag';
import { OperatorCommandError, runOperatorCommand } from './operator-error';
import { withOperatorRedis } from './operator-redis';
import { parseArgs } from './parse-args';
import { selectServices } from './service-argument';
import {
  type CommandProviders,
  openCommandSession,
  realProviders,
  runTargets,
  type TargetRun,
  targetsOf,
} from './target-runs';
import {
  planJson,
  renderPlanMarkdown,
  renderPlanText,
  summarizePlans,
  type TargetPlanView,
} from '../providers/render-plan';

/** Exit code when changes are pending. */
export const PLAN_CHANGES_PENDING = 2;

const USAGE = 'usage: quorumdns plan --config <path...> [--service s] [--format text|markdown|json]';

export const planCommand: Command = (args, io) => runPlanCommand(args, io, realProviders);

export async function runPlanCommand(
  args: string[],
  io: CliIo,
  providers: CommandProviders,
): Promise<number> {
  let parsed: { format: 'text' | 'markdown' | 'json'; service: string | undefined; config: string[] };
  try {
    parsed = parsePlanArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`quorumdns plan: ${error.message}\n${USAGE}\n`);
    return ExitCode.failure;
  }
  const { format } = parsed;
  const code = await runOperatorCommand('plan', io, async () => {
    try {
      const config = await loadOperatorConfig(parsed.config.length > 0 ? parsed.config : undefined, io);
      const services = selectServices(config, parsed.service);
      const targets = targetsOf(config, services);
      const runs = await withOperatorRedis(config, io, async ({ redis, keys }) => {
        const session = openCommandSession({ config, redis, keys, io, by: 'plan', notify: false, providers });
        try {
          return await runTargets(session.processor, targets, { planOnly: true });
        } finally {
          await session.close();
        }
      });
      const views = planViews(runs);
      io.stdout(
        format === 'json'
          ? `${JSON.stringify(planJson(views), null, 2)}\n`
          : format === 'markdown'
            ? renderPlanMarkdown(views)
            : renderPlanText(views),
      );
      const summary = summarizePlans(views);
      if (summary.errors > 0) return ExitCode.failure;
      return summary.create + summary.update + summary.delete > 0 ? PLAN_CHANGES_PENDING : ExitCode.ok;
    } catch (error) {
      // An unknown service is a usage problem elsewhere (exit 2); here 2 means "changes pending".
      if (error instanceof OperatorCommandError && error.exitCode === 2) {
        throw new OperatorCommandError(error.message, error.code, 1);
      }
      throw error;
    }
  });
  return code;
}

function parsePlanArgs(args: string[]): {
  format: 'text' | 'markdown' | 'json';
  service: string | undefined;
  config: string[];
} {
  const { values, positionals } = parseArgs(args, {
    ...configOption,
    service: { type: 'string' },
    format: { type: 'string', default: 'text' },
  });
  const format = values.format;
  if (format !== 'text' && format !== 'markdown' && format !== 'json') {
    throw new UsageError(`--format must be text, markdown or json, got "${format}"`);
  }
  // `--config a.yaml b.yaml` reads naturally, like `quorumdns evaluate`: positionals are more config paths.
  return { format, service: values.service, config: [...(values.config ?? []), ...positionals] };
}

/** Plan views of target runs (plan-only runs, or `sync --dry-run`). */
export function planViews(runs: TargetRun[]): TargetPlanView[] {
  return runs.map((run) => {
    const view: TargetPlanView = {
      service: run.ref.service.name,
      provider: run.ref.target.provider,
      providerType: run.ref.providerType,
      zone: run.ref.target.zone,
      mode: run.ref.target.mode,
      generation: null,
      source: null,
    };
    const result = run.result;
    if (run.error !== undefined) {
      const remote = run.error.remoteCode === undefined ? '' : ` [${run.error.remoteCode}]`;
      view.error = { code: run.error.code, message: `${run.error.message}${remote}` };
    } else if (result !== undefined && 'plan' in result) {
      view.plan = result.plan;
      view.generation = result.generation;
      view.source = result.source;
    } else if (result?.outcome === 'skipped' || result?.outcome === 'dropped') {
      view.error = { code: 'SKIPPED', message: result.reason };
    }
    return view;
  });
}
