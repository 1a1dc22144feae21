/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading is the point of this table */
import type { Command } from './cli-io';
import { operatorCommandEntries } from './operator-commands';

export interface CommandEntry {
  summary: string;
  /** Loaded on demand so `quorumdns validate` does not pay for BullMQ or the cloud SDKs. */
  load: () => Command;
}

/** Every `quorumdns <command>`. Each command lives in its own `*-command.ts` file. */
export const commands: Record<string, CommandEntry> = {
  validate: {
    summary: 'validate service definitions: quorumdns validate <path...> [--format text|json]',
    load: () => require('./validate-command').validateCommand,
  },
  evaluate: {
    summary:
      'run the quorum evaluator: quorumdns evaluate --config <path...> [--tick 1s] [--concurrency 16] [--metrics-port n] [--id name] [--no-apply] [--no-notify] [--no-drills]',
    load: () => require('./evaluate-command').evaluateCommand,
  },
  probe: {
    summary:
      'run a probe worker: quorumdns probe --region <name> --config <path...> [--concurrency n] [--worker-id id] [--buffer-size n] [--metrics-port n]',
    load: () => require('./probe-command').probeCommand,
  },
  sync: {
    summary:
      'align provider records with the current decision: quorumdns sync --config <path...> [--service s] [--dry-run] [--format text|json]',
    load: () => require('./sync-command').syncCommand,
  },
  plan: {
    summary:
      'what sync would change (exit 0 none, 2 pending, 1 error): quorumdns plan --config <path...> [--service s] [--format text|markdown|json]',
    load: () => require('./plan-command').planCommand,
  },
  notify: {
    summary:
      'notification delivery: quorumdns notify test <channel> | failed [--json] | retry [--all | <id>...] [--config path]',
    load: () => require('./notify-command').notifyCommand,
  },
  'dns-server': {
    summary:
      "serve the local providers' zones over DNS (lab): quorumdns dns-server --config <path...> [--listen 127.0.0.1:5353]",
    load: () => require('./dns-server-command').dnsServerCommand,
  },
  drill: {
    summary:
      'region outage drills: quorumdns drill run --service s --pool p [--mode dry|live] [--duration 5m] [--report-dir dir] [--by who] [--reason text] [--json] | status [--json] | stop --service s | history [--service s] [--limit 20] [--json] [--config path]',
    load: () => require('./drill-command').drillCommand,
  },
  lab: {
    summary:
      'the local multi-region lab (npm run demo): outage, failover, failback, timeline: quorumdns lab [--keep] [--json-timeline path]',
    load: () => require('./lab-command').labCommand,
  },
  ...operatorCommandEntries,
  schema: {
    summary: 'print the JSON Schema of the configuration format',
    load: () => require('./schema-command').schemaCommand,
  },
};
