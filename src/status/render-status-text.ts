/**
 * `quorumdns status` for a person at a terminal: per service the decision (what serves, generation, since
 * when), pool verdicts, probe regions, the endpoints × probe regions matrix of opinions, why (the explanation
 * of the last committed evaluation), overrides, the drill overlay and the newest events. Everything comes from
 * one `StatusSnapshot`, so text and `--json` can never disagree.
 */
import { formatDuration, formatTime } from '../quorum/format-duration';
import { describeQuorum, quorumSize } from '../quorum/quorum-size';
import type { Verdict } from '../quorum/types';
import { formatEventLine } from './render-events';
import { renderOverridesTable } from './render-overrides';
import type {
  EndpointStatusView,
  OpinionCell,
  PoolStatusView,
  ProviderTargetStatus,
  RecordStatus,
  RegionStatusView,
  ServiceStatus,
  StatusSnapshot,
} from './snapshot-types';
import { plainStyle, renderTable, type TextStyle } from './text-style';

const INDENT = '    ';

export function renderStatusText(snapshot: StatusSnapshot, style: TextStyle = plainStyle): string {
  if (snapshot.services.length === 0) return 'no services configured\n';
  const blocks = snapshot.services.map((service) => renderService(service, snapshot, style).join('\n'));
  return `${blocks.join('\n\n')}\n`;
}

function renderService(service: ServiceStatus, snapshot: StatusSnapshot, style: TextStyle): string[] {
  const now = snapshot.generatedAt;
  const needed = quorumSize(service.quorum, service.regions.length);
  const out: string[] = [
    `${style.bold(service.service)}  ${service.dnsNames.join(', ')} ${service.recordType} · ${service.policy} · ` +
      `quorum ${describeQuorum(service.quorum)} (${needed} of ${service.regions.length} probe regions)`,
  ];
  out.push(...decisionLines(service, snapshot, style));

  out.push('', '  pools');
  out.push(
    ...renderTable(
      [
        heading(['pool', 'prio', 'verdict', 'endpoints up', 'status', 'weight'], style),
        ...service.pools.map((pool) => poolRow(pool, style)),
      ],
      INDENT,
    ),
  );

  out.push(...targetLines(service, style));

  out.push('', '  probe regions');
  out.push(
    ...renderTable(
      [
        heading(['region', 'status', 'heartbeat', 'worker', 'version'], style),
        ...service.regions.map((region) => regionRow(region, service, style)),
      ],
      INDENT,
    ),
  );

  out.push('', '  opinions (endpoint × probe region; stale regions are not counted)');
  out.push(...opinionMatrix(service, now, style));

  if (service.record !== null && service.record.explanation.lines.length > 0) {
    out.push('', `  why (evaluation of ${formatTime(service.record.explanation.evaluatedAt)})`);
    out.push(...service.record.explanation.lines.map((line) => `${INDENT}${line}`));
    if (service.record.explanation.rules.length > 0)
      out.push(`${INDENT}${style.dim(`rules: ${service.record.explanation.rules.join(', ')}`)}`);
  }

  out.push('', '  overrides');
  if (service.overrides.length === 0) out.push(`${INDENT}none`);
  else
    out.push(
      ...renderOverridesTable([{ service: service.service, overrides: service.overrides }], now, {
        showService: false,
        indent: INDENT,
        style,
      }),
    );

  out.push('', `  drill: ${drillLine(service, style)}`);

  out.push('', `  recent events${service.events.length === 0 ? ': none' : ''}`);
  out.push(...service.events.map((event) => `${INDENT}${formatEventLine(event, style)}`));

  if (service.problems.length > 0) {
    out.push('', `  ${style.bad('problems in Redis')}`);
    out.push(...service.problems.map((problem) => `${INDENT}${style.bad(problem)}`));
  }
  return out;
}

function decisionLines(service: ServiceStatus, snapshot: StatusSnapshot, style: TextStyle): string[] {
  const now = snapshot.generatedAt;
  const record = service.record;
  if (record === null) {
    return [
      `  ${style.warn('not evaluated yet')}: no evaluator has committed a decision for this service (is \`quorumdns evaluate\` running?)`,
    ];
  }
  const lines = [
    `  serving ${servingText(record, style)} · generation ${record.generation} since ${formatTime(record.decidedAt)} (${ago(now, record.decidedAt)})`,
    `  ${style.dim(`evaluated ${ago(now, record.evaluatedAt)} by ${record.evaluatedBy}`)}` +
      (record.configCurrent
        ? ''
        : ` · ${style.warn(`the evaluator ran config ${record.configHash.slice(0, 12)}, this command ${snapshot.deployment.configHash.slice(0, 12)}`)}`),
  ];
  if (record.failOpen)
    lines.push(`  ${style.bad('FAIL-OPEN')}: no pool is healthy; the last known good answer is kept`);
  for (const freeze of service.overrides.filter((override) => override.kind === 'freeze')) {
    const until =
      freeze.expiresAt === undefined
        ? ''
        : ` until ${formatTime(freeze.expiresAt)} (${formatDuration(Math.max(0, freeze.expiresAt - now))} left)`;
    lines.push(
      `  ${style.warn('FROZEN')} by ${freeze.by}${until}: ${JSON.stringify(freeze.reason)} — no automatic change is published`,
    );
  }
  return lines;
}

function servingText(record: RecordStatus, style: TextStyle): string {
  const serving = record.decision.pools.filter((pool) => pool.weight > 0 && pool.endpoints.length > 0);
  if (serving.length === 0) return style.bad('nothing');
  return serving
    .map(
      (pool) =>
        `${style.good(pool.pool)} (weight ${pool.weight}, ${pool.endpoints.length} endpoint${pool.endpoints.length === 1 ? '' : 's'})`,
    )
    .join(', ');
}

function poolRow(pool: PoolStatusView, style: TextStyle): string[] {
  const status = pool.status ?? '-';
  const styledStatus =
    status === 'eligible' || status === 'forced-in'
      ? style.good(status)
      : status === 'drained' || status === 'forced-out'
        ? style.bad(status)
        : status === '-'
          ? status
          : style.warn(status);
  const failback = pool.failbackIn !== null ? ` (in ${formatDuration(pool.failbackIn)})` : '';
  const total = (pool.upCount ?? 0) + (pool.downCount ?? 0) + (pool.unknownCount ?? 0);
  const health = pool.upCount === null ? '-' : `${pool.upCount}/${total} (${pool.minHealthy ?? '?'} needed)`;
  return [
    pool.pool,
    String(pool.priority),
    verdictText(pool.verdict, style),
    health,
    `${styledStatus}${failback}`,
    pool.weight === null ? '-' : String(pool.weight),
  ];
}

/** `dns targets`: per provider target, the generation applied there against the decision's. */
function targetLines(service: ServiceStatus, style: TextStyle): string[] {
  const targets = service.targets ?? [];
  if (targets.length === 0) return [];
  return [
    '',
    '  dns targets (applied generation vs decision generation)',
    ...renderTable(
      [
        heading(['target', 'mode', 'applied', 'decision', 'state', 'change', 'error'], style),
        ...targets.map((target) => targetRow(target, style)),
      ],
      INDENT,
    ),
  ];
}

function targetRow(target: ProviderTargetStatus, style: TextStyle): string[] {
  const state = target.syncState ?? 'never applied';
  const attempted =
    target.attemptedGeneration !== null && target.attemptedGeneration !== target.appliedGeneration
      ? ` (gen ${target.attemptedGeneration})`
      : '';
  const styledState =
    state === 'failed'
      ? style.bad(`failed${attempted}`)
      : state === 'in-sync' && target.current
        ? style.good(state)
        : style.warn(`${state}${attempted}${state === 'in-sync' ? ', behind' : ''}`);
  const remote = target.error?.remoteCode ? ` [${target.error.remoteCode}]` : '';
  return [
    `${target.providerType ?? '?'} ${target.provider}/${target.zone}`,
    target.mode,
    target.appliedGeneration === null ? '-' : String(target.appliedGeneration),
    String(target.decisionGeneration),
    styledState,
    target.changeIds.length === 0 ? '-' : target.changeIds.join(','),
    target.error === null ? '' : style.bad(`${target.error.code}${remote}: ${target.error.message}`),
  ];
}

function regionRow(region: RegionStatusView, service: ServiceStatus, style: TextStyle): string[] {
  const status =
    region.status === 'stale'
      ? style.bad(`STALE (limit ${formatDuration(service.staleAfter)})`)
      : region.suspect
        ? style.warn('live, suspect: votes discounted')
        : style.good('live');
  const staleAndSuspect = region.status === 'stale' && region.suspect ? ` ${style.warn('suspect')}` : '';
  return [
    region.region,
    `${status}${staleAndSuspect}`,
    region.heartbeatAge === null ? style.bad('never seen') : `${formatDuration(region.heartbeatAge)} ago`,
    region.worker ?? '-',
    region.version ?? '-',
  ];
}

function opinionMatrix(service: ServiceStatus, now: number, style: TextStyle): string[] {
  if (service.endpoints.length === 0) return [`${INDENT}(no endpoints)`];
  const regions = service.regions.map((region) => region.region);
  const headings = heading(
    [
      'endpoint',
      'pool',
      ...service.regions.map((region) =>
        region.status === 'stale' ? `${region.region} (stale)` : region.region,
      ),
      'verdict',
    ],
    style,
  );
  const rows = service.endpoints.map((endpoint: EndpointStatusView) => [
    endpoint.endpoint,
    endpoint.pool,
    ...regions.map((region) => opinionText(endpoint.opinions[region], now, style)),
    verdictText(endpoint.verdict, style),
  ]);
  return renderTable([headings, ...rows], INDENT);
}

/** `down timeout 3s ago`, `up`, `unknown never checked`, `stale: up` (a stale region's vote is shown, not counted). */
function opinionText(cell: OpinionCell | undefined, now: number, style: TextStyle): string {
  if (cell === undefined) return '-';
  const opinion = cell.stale ? style.dim(`stale: ${cell.opinion}`) : verdictText(cell.opinion, style);
  if (cell.lastCheckAt === null) return `${opinion} ${style.dim('never checked')}`;
  const failure = cell.lastOk === false ? ` ${cell.failureClass ?? 'failed'}` : '';
  const drill = cell.drill ? ' [drill]' : '';
  return `${opinion}${failure}${drill} ${style.dim(ago(now, cell.lastCheckAt))}`;
}

function verdictText(verdict: Verdict | null, style: TextStyle): string {
  if (verdict === null) return '-';
  if (verdict === 'up') return style.good('up');
  if (verdict === 'down') return style.bad('down');
  return style.warn('unknown');
}

function drillLine(service: ServiceStatus, style: TextStyle): string {
  if (service.drill === null) return 'none';
  const expiry =
    service.drill.ttlMs === null ? 'no expiry' : `expires in ${formatDuration(service.drill.ttlMs)}`;
  return `${style.warn('ACTIVE')} (${expiry}) ${JSON.stringify(service.drill.value)}`;
}

function heading(cells: string[], style: TextStyle): string[] {
  return cells.map((cell) => style.dim(cell));
}

function ago(now: number, then: number): string {
  const age = now - then;
  return age < 0 ? `in ${formatDuration(-age)}` : `${formatDuration(age)} ago`;
}
