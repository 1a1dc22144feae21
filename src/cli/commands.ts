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
      'run the quorum evaluator: quorumdns evaluate --config <path...> [--tick 1s] [--concurrency 16] [--metrics-port n] [--id name]',
    load: () => require('./evaluate-command').evaluateCommand,
  },
  probe: {
    summary:
      'run a probe worker: quorumdns probe --region <name> --config <path...> [--concurrency n] [--worker-id id] [--buffer-size n] [--metrics-port n]',
    load: () => require('./probe-command').probeCommand,
  },
  ...operatorCommandEntries,
  schema: {
    summary: 'print the JSON Schema of the configuration format',
    load: () => require('./schema-command').schemaCommand,
  },
};
