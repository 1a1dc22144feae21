import type { Explanation } from './types';

/**
 * An explanation as a person reads it in a terminal or a chat code block:
 *
 *   api: policy failover, quorum majority = 2 of 3 configured regions, evaluated 2026-…
 *   rules: quorum, stale-region, policy
 *
 *   endpoint    pool      us-east-1  europe-west1  onprem-fra  votes up/down  needed  verdict
 *   use1-a      aws-use1  down       down          stale       0/2            2       down
 *
 *   regions: …
 *   pool aws-use1: …
 *   answer: …
 */
export function formatExplanation(explanation: Explanation): string {
  const [header, ...rest] = explanation.lines;
  const out: string[] = [];
  if (header !== undefined) out.push(header);
  out.push(`rules: ${explanation.rules.join(', ') || 'none'}`);
  out.push('');
  out.push(...votesTable(explanation));
  out.push('');
  out.push(...rest);
  return `${out.join('\n')}\n`;
}

function votesTable(explanation: Explanation): string[] {
  const regions = explanation.regions.map((region) => region.region);
  const headings = ['endpoint', 'pool', ...regions, 'votes up/down', 'needed', 'verdict'];
  const rows = explanation.endpoints.map((endpoint) => [
    endpoint.endpoint,
    endpoint.pool,
    ...regions.map((region) => endpoint.votes[region] ?? 'unknown'),
    `${endpoint.upVotes}/${endpoint.downVotes}`,
    String(endpoint.needed),
    endpoint.held ? `${endpoint.verdict} (held)` : endpoint.verdict,
  ]);
  if (rows.length === 0) return ['(no endpoints)'];
  const widths = headings.map((heading, column) =>
    Math.max(heading.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const render = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [render(headings), ...rows.map(render)];
}
