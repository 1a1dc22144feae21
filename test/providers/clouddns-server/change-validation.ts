/**
 * The transactional heart of `changes.create`, as a pure function over a zone's record sets: deletions are
 * applied first, then additions, and the change is all-or-nothing. Every deletion must name a record set
 * that exists (else 404 `notFound`) and match it exactly — ttl, values, routing policy (else 412
 * `conditionNotMet`); an addition may not land on an existing (name, type) (409 `alreadyExists`). So a
 * "replace" is one change holding the exact current set as deletion and the new set as addition, and a
 * writer working from a stale read is refused instead of overwriting someone else's change.
 */
import { CloudDnsApiError, badRequest, problems, type GoogleErrorDetail } from './cloud-dns-api-error';
import { cloneRrset, rrsetKey, rrsetsMatch } from './rrset';
import { isInZone } from './rrset-validation';
import type { CloudDnsRrset } from './types';

/** Types a zone's apex carries from its creation; they can be replaced in one change, never removed. */
const APEX_ONLY_TYPES = ['SOA', 'NS'] as const;

function describe(rrset: CloudDnsRrset): string {
  return `${rrset.name} (${rrset.type})`;
}

function checkPlacement(
  zoneDnsName: string,
  additions: readonly CloudDnsRrset[],
  deletions: readonly CloudDnsRrset[],
): void {
  const found: GoogleErrorDetail[] = [];
  const check = (list: readonly CloudDnsRrset[], kind: 'additions' | 'deletions'): void => {
    const seen = new Set<string>();
    list.forEach((rrset, index) => {
      const field = `entity.change.${kind}[${index}]`;
      if (!isInZone(rrset.name, zoneDnsName)) {
        found.push(
          problems.invalid(`${field}.name`, `'${rrset.name}' is not within the zone '${zoneDnsName}'`),
        );
      }
      const key = rrsetKey(rrset.name, rrset.type);
      if (seen.has(key)) found.push(problems.invalid(field, `${describe(rrset)} appears twice in ${kind}`));
      seen.add(key);
      if (kind === 'additions' && rrset.type === 'SOA' && rrset.name !== zoneDnsName.toLowerCase()) {
        found.push(problems.invalid(`${field}.type`, 'an SOA record set may only sit at the zone apex'));
      }
    });
  };
  check(additions, 'additions');
  check(deletions, 'deletions');
  if (found.length > 0) throw badRequest(found);
}

function checkDeletions(
  current: ReadonlyMap<string, CloudDnsRrset>,
  deletions: readonly CloudDnsRrset[],
): void {
  const missing: GoogleErrorDetail[] = [];
  const mismatched: GoogleErrorDetail[] = [];
  deletions.forEach((deletion, index) => {
    const existing = current.get(rrsetKey(deletion.name, deletion.type));
    if (existing === undefined) {
      missing.push({
        domain: 'global',
        reason: 'notFound',
        message: `The 'entity.change.deletions[${index}]' resource named '${describe(deletion)}' does not exist.`,
      });
    } else if (!rrsetsMatch(existing, deletion)) {
      mismatched.push({
        domain: 'global',
        reason: 'conditionNotMet',
        message: `Precondition not met for 'entity.change.deletions[${index}]'`,
      });
    }
  });
  if (missing.length > 0) throw new CloudDnsApiError(404, missing);
  if (mismatched.length > 0) throw new CloudDnsApiError(412, mismatched);
}

function checkAdditions(
  remaining: ReadonlyMap<string, CloudDnsRrset>,
  additions: readonly CloudDnsRrset[],
): void {
  const clashes: GoogleErrorDetail[] = additions
    .filter((addition) => remaining.has(rrsetKey(addition.name, addition.type)))
    .map((addition) => ({
      domain: 'global',
      reason: 'alreadyExists',
      message:
        `The resource 'entity.change.additions[${addition.name}][${addition.type}]' named ` +
        `'${describe(addition)}' already exists`,
    }));
  if (clashes.length > 0) throw new CloudDnsApiError(409, clashes);
}

/** RFC 1034 3.6.2: a name with a CNAME holds nothing else; the apex always holds SOA and NS. */
function checkResult(zoneDnsName: string, result: ReadonlyMap<string, CloudDnsRrset>): void {
  const found: GoogleErrorDetail[] = [];
  const apex = zoneDnsName.toLowerCase();
  for (const type of APEX_ONLY_TYPES) {
    if (!result.has(rrsetKey(apex, type))) {
      found.push(
        problems.invalid(
          'entity.change.deletions',
          `the ${type} record set at the zone apex may not be deleted`,
        ),
      );
    }
  }
  const typesByName = new Map<string, string[]>();
  for (const rrset of result.values()) {
    typesByName.set(rrset.name, [...(typesByName.get(rrset.name) ?? []), rrset.type]);
  }
  for (const [name, types] of typesByName) {
    if (types.includes('CNAME') && types.length > 1) {
      found.push({
        domain: 'global',
        reason: 'cnameResourceRecordSetConflict',
        message:
          `The resource record set 'entity.change.additions' is invalid because the DNS name '${name}' may have ` +
          'either one CNAME resource record set or resource record sets of other types, but not both.',
      });
    }
  }
  if (found.length > 0) throw badRequest(found);
}

/**
 * The zone's record sets after the change, or the error the real API would answer with (nothing changes).
 * `current` is never modified; the caller swaps the returned map in.
 */
export function applyChangeToRrsets(
  zoneDnsName: string,
  current: ReadonlyMap<string, CloudDnsRrset>,
  additions: readonly CloudDnsRrset[],
  deletions: readonly CloudDnsRrset[],
): Map<string, CloudDnsRrset> {
  if (additions.length === 0 && deletions.length === 0)
    throw badRequest([problems.required('entity.change')]);
  checkPlacement(zoneDnsName, additions, deletions);
  checkDeletions(current, deletions);
  const next = new Map(current);
  for (const deletion of deletions) next.delete(rrsetKey(deletion.name, deletion.type));
  checkAdditions(next, additions);
  for (const addition of additions) next.set(rrsetKey(addition.name, addition.type), cloneRrset(addition));
  checkResult(zoneDnsName, next);
  return next;
}
