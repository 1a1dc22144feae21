/**
 * Building configuration texts for tests: a valid shared part plus one service, so each test
 * changes only what it is about and asserts the exact problems (`file:line:col: path: message`).
 */
import { loadConfigFromString, loadConfigFromTexts } from '../../../src/config/load-config';
import { formatProblem } from '../../../src/config/problem';
import type { Config } from '../../../src/config/types';

export const SHARED = `deployment:
  id: test-deploy
probeRegions: [us-east-1, europe-west1, onprem-fra]
providers:
  aws-main: { type: route53, hostedZoneId: Z0123456789ABC }
  gcp-main: { type: clouddns, project: acme-dns, managedZone: example-com }
notifications:
  ops-slack: { type: slack, url: '\${env:SLACK_WEBHOOK_URL}' }
defaults:
  check: { type: https, interval: 10s, timeout: 3s, path: /healthz }
`;

/** A valid failover service, as the `services:` section. */
export const API_SERVICE = `services:
  api:
    names: [api.example.com]
    pools:
      one:
        endpoints:
          - { address: 192.0.2.10 }
      two:
        endpoints:
          - { address: 198.51.100.10 }
    providers:
      - { provider: aws-main }
`;

/** Every problem (errors and warnings) as formatted lines; [] when the config is clean. */
export function problemLines(text: string, file = 'test.yaml'): string[] {
  const result = loadConfigFromString(text, file);
  return (result.ok ? result.warnings : result.problems).map(formatProblem);
}

/** Problems of several files merged in order. */
export function problemLinesOf(files: Record<string, string>): string[] {
  const result = loadConfigFromTexts(Object.entries(files).map(([file, text]) => ({ file, text })));
  return (result.ok ? result.warnings : result.problems).map(formatProblem);
}

/** The resolved config of a text that must be valid (fails the test with the problems otherwise). */
export function validConfig(text: string, file = 'test.yaml'): Config {
  const result = loadConfigFromString(text, file);
  if (!result.ok)
    throw new Error(`expected a valid config, got:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.config;
}
