/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading, like src/cli/commands.ts */
import type { CommandEntry } from './commands';

/**
 * The operator commands, as entries for the table in src/cli/commands.ts (its owner spreads them in:
 * `...operatorCommandEntries`). Loaded on demand so `quorumdns validate` does not load BullMQ.
 */
export const operatorCommandEntries: Record<string, CommandEntry> = {
  status: {
    summary:
      'show decisions, verdicts, opinions, overrides, events: quorumdns status [service] [--json] [--events n] [--config path]',
    load: () => require('./status-command').statusCommand,
  },
  freeze: {
    summary:
      'stop automatic DNS changes: quorumdns freeze <service> --reason <text> [--for 1h] [--by who] [--config path]',
    load: () => require('./freeze-command').freezeCommand,
  },
  unfreeze: {
    summary: 'remove a freeze: quorumdns unfreeze <service> [--reason <text>] [--by who] [--config path]',
    load: () => require('./unfreeze-command').unfreezeCommand,
  },
  override: {
    summary:
      'force a pool out or in: quorumdns override <service> --pool <p> --drain|--restore --reason <text> [--for 4h] [--by who] | --clear <id> | --pool <p> --clear',
    load: () => require('./override-command').overrideCommand,
  },
  overrides: {
    summary: 'list the overrides in force: quorumdns overrides [service] [--json] [--config path]',
    load: () => require('./overrides-command').overridesCommand,
  },
  events: {
    summary:
      'the audit log: quorumdns events [--service s] [--since 1h] [--limit n] [--follow] [--json] [--config path]',
    load: () => require('./events-command').eventsCommand,
  },
};
