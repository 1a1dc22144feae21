/**
 * Which record type a service answers with, from its endpoints (or as declared), and whether the
 * endpoints agree with it. A DNS name answers one record set per type, so a service whose
 * endpoints give both IPv4 addresses and CNAME targets cannot be published.
 */
import { isIPv6 } from 'node:net';
import type { Problem } from './problem';
import type { EndpointTarget, RecordType } from './types';
import { below, type Origin, problemAt } from './yaml-source';

export interface TargetedEndpoint {
  id: string;
  target: EndpointTarget;
  /** Where the endpoint was written. */
  origin: Origin;
}

type TargetKind = 'ipv4' | 'ipv6' | 'cname' | 'alias';

function kindOf(target: EndpointTarget): TargetKind {
  if (target.kind === 'cname') return 'cname';
  if (target.kind === 'alias') return 'alias';
  return isIPv6(target.address) ? 'ipv6' : 'ipv4';
}

const KIND_TEXT: Record<TargetKind, string> = {
  ipv4: 'an IPv4 address (A)',
  ipv6: 'an IPv6 address (AAAA)',
  cname: 'a CNAME target',
  alias: 'a Route 53 alias',
};

function targetField(target: EndpointTarget): string {
  return target.kind === 'address' ? 'address' : target.kind;
}

/** Record types an endpoint kind can be served as. A Route 53 alias can stand in an A or AAAA set. */
const SERVES: Record<TargetKind, readonly RecordType[]> = {
  ipv4: ['A'],
  ipv6: ['AAAA'],
  cname: ['CNAME'],
  alias: ['A', 'AAAA'],
};

export function resolveRecordType(
  endpoints: readonly TargetedEndpoint[],
  declared: { value: RecordType; origin: Origin } | undefined,
): { recordType?: RecordType; problems: Problem[] } {
  const problems: Problem[] = [];
  if (declared) {
    for (const endpoint of endpoints) {
      const kind = kindOf(endpoint.target);
      if (!SERVES[kind].includes(declared.value)) {
        problems.push(
          problemAt(
            below(endpoint.origin, targetField(endpoint.target)),
            `endpoint "${endpoint.id}" is ${KIND_TEXT[kind]}, which a ${declared.value} service cannot answer with`,
          ),
        );
      }
    }
    return { recordType: declared.value, problems };
  }

  // Inferred: the first endpoint that pins a type decides; everything else must agree with it.
  const first = endpoints.find((endpoint) => kindOf(endpoint.target) !== 'alias');
  if (first === undefined) return { recordType: 'A', problems };
  const firstKind = kindOf(first.target);
  const recordType = SERVES[firstKind][0] as RecordType;
  for (const endpoint of endpoints) {
    const kind = kindOf(endpoint.target);
    if (!SERVES[kind].includes(recordType)) {
      const hint =
        kind === 'cname' || firstKind === 'cname'
          ? 'a CNAME cannot share a name with other records'
          : 'serve IPv4 and IPv6 as two services, type A and type AAAA, with the same names';
      problems.push(
        problemAt(
          below(endpoint.origin, targetField(endpoint.target)),
          `mixed record types: endpoint "${endpoint.id}" is ${KIND_TEXT[kind]} but endpoint "${first.id}" is ` +
            `${KIND_TEXT[firstKind]}; a name answers with one record type (${hint})`,
        ),
      );
    }
  }
  return { recordType, problems };
}
