/**
 * Ownership of managed names: the owner TXT record `_quorumdns.<name>` says which deployment steers `<name>`.
 * Checked on every read before a write, so two deployments (a staging copy pointed at the production zone, an
 * old install nobody stopped) never fight over a name: the second one is refused, loudly, and writes nothing.
 * An absent owner record is not a conflict: the plan creates it, in the same batch as the name's first write.
 */
import { ownerRecordName, ownerRecordValue } from './desired-records';
import { ProviderError } from './provider-errors';
import type { RecordSet } from './record-set';
import { canonicalName } from './record-set-equality';

const OWNER_VALUE = /^"?heritage=quorumdns,deployment=([a-z0-9-]+)"?$/;

/** The deployment id an owner TXT value names, or undefined when the value is not a quorumdns owner value. */
export function parseOwnerValue(value: string): string | undefined {
  return OWNER_VALUE.exec(value.trim())?.[1];
}

export interface OwnershipConflict {
  /** The managed name (not the owner record's name). */
  name: string;
  ownerRecord: string;
  /** What the owner record says, verbatim: another deployment's value, or something that is not ours. */
  values: string[];
  /** The other deployment ids it names (empty when the TXT is not a quorumdns owner value). */
  otherOwners: string[];
}

export interface OwnershipInput {
  /** What the provider holds at the managed names (owner names included). */
  current: RecordSet[];
  /** The service's dnsNames. */
  names: string[];
  deploymentId: string;
}

/**
 * Every managed name whose owner record exists and is not exactly ours. Values at the owner name that are
 * not quorumdns owner values also count: the name `_quorumdns.<name>` is ours to use only if nobody else is.
 */
export function ownershipConflicts(input: OwnershipInput): OwnershipConflict[] {
  const ours = ownerRecordValue(input.deploymentId);
  const conflicts: OwnershipConflict[] = [];
  for (const name of [...new Set(input.names.map(canonicalName))]) {
    const ownerRecord = ownerRecordName(name);
    const values = input.current
      .filter((set) => canonicalName(set.name) === ownerRecord && set.type === 'TXT')
      .flatMap((set) => set.values ?? set.wrr?.flatMap((item) => item.values) ?? []);
    const foreign = values.filter((value) => value !== ours);
    if (foreign.length === 0) continue;
    const otherOwners = [
      ...new Set(foreign.map(parseOwnerValue).filter((id): id is string => id !== undefined)),
    ].filter((id) => id !== input.deploymentId);
    conflicts.push({ name, ownerRecord, values, otherOwners });
  }
  return conflicts;
}

/** Throws a permanent `NOT_OWNER` error naming every conflicting name and who owns it. */
export function assertOwnership(input: OwnershipInput & { provider: string }): void {
  const conflicts = ownershipConflicts(input);
  if (conflicts.length === 0) return;
  const lines = conflicts.map((conflict) => {
    const owner =
      conflict.otherOwners.length > 0
        ? `deployment ${conflict.otherOwners.map((id) => `"${id}"`).join(', ')}`
        : `something else (${conflict.values.join(' ')})`;
    return `${conflict.name} is owned by ${owner} (TXT ${conflict.ownerRecord})`;
  });
  throw new ProviderError(
    'NOT_OWNER',
    `provider "${input.provider}": refusing to write names this deployment ("${input.deploymentId}") does not own: ` +
      `${lines.join('; ')}. Remove the owner record only if that deployment is gone.`,
    { provider: input.provider },
  );
}
