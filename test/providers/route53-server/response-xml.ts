/**
 * Response bodies in Route 53's 2013-04-01 XML vocabulary. Element names must be exact: the SDK maps them by
 * name onto its output shapes and silently drops anything it does not know.
 */
import type { Route53ApiError } from './api-error';
import { fqdn, type ListPosition, type R53RecordSet } from './record-set';
import { optionalNode, serializeXmlDocument, xmlNode, type XmlNode } from './xml';
import type { HostedZone, RecordSetPage, StoredChange } from './zone-store';

export const ROUTE53_XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';

export type ChangeStatus = 'PENDING' | 'INSYNC';

function rootNode(name: string, children: Array<XmlNode | undefined>): XmlNode {
  return { name, attributes: { xmlns: ROUTE53_XMLNS }, children };
}

function recordSetNode(set: R53RecordSet): XmlNode {
  return xmlNode('ResourceRecordSet', [
    xmlNode('Name', fqdn(set.name)),
    xmlNode('Type', set.type),
    optionalNode('SetIdentifier', set.setIdentifier),
    optionalNode('Weight', set.weight),
    optionalNode('TTL', set.ttl),
    set.values === undefined
      ? undefined
      : xmlNode(
          'ResourceRecords',
          set.values.map((value) => xmlNode('ResourceRecord', [xmlNode('Value', value)])),
        ),
    set.alias === undefined
      ? undefined
      : xmlNode('AliasTarget', [
          xmlNode('HostedZoneId', set.alias.hostedZoneId),
          xmlNode('DNSName', fqdn(set.alias.dnsName)),
          xmlNode('EvaluateTargetHealth', set.alias.evaluateTargetHealth),
        ]),
  ]);
}

export function listResourceRecordSetsResponse(page: RecordSetPage, maxItems: string): string {
  const next: ListPosition | undefined = page.next;
  return serializeXmlDocument(
    rootNode('ListResourceRecordSetsResponse', [
      xmlNode('ResourceRecordSets', page.sets.map(recordSetNode)),
      xmlNode('IsTruncated', next !== undefined),
      optionalNode('NextRecordName', next === undefined ? undefined : fqdn(next.name)),
      optionalNode('NextRecordType', next?.type),
      optionalNode('NextRecordIdentifier', next?.setIdentifier),
      xmlNode('MaxItems', maxItems),
    ]),
  );
}

function changeInfoNode(change: StoredChange, status: ChangeStatus): XmlNode {
  return xmlNode('ChangeInfo', [
    xmlNode('Id', `/change/${change.id}`),
    xmlNode('Status', status),
    xmlNode('SubmittedAt', change.submittedAt.toISOString()),
    optionalNode('Comment', change.comment),
  ]);
}

export function changeResourceRecordSetsResponse(change: StoredChange): string {
  // Route 53 always answers a fresh change with PENDING, however fast it propagates.
  return serializeXmlDocument(
    rootNode('ChangeResourceRecordSetsResponse', [changeInfoNode(change, 'PENDING')]),
  );
}

export function getChangeResponse(change: StoredChange, status: ChangeStatus): string {
  return serializeXmlDocument(rootNode('GetChangeResponse', [changeInfoNode(change, status)]));
}

export function getHostedZoneResponse(zone: HostedZone): string {
  return serializeXmlDocument(
    rootNode('GetHostedZoneResponse', [
      xmlNode('HostedZone', [
        xmlNode('Id', `/hostedzone/${zone.id}`),
        xmlNode('Name', fqdn(zone.name)),
        xmlNode('CallerReference', zone.callerReference),
        xmlNode('Config', [xmlNode('PrivateZone', false)]),
        xmlNode('ResourceRecordSetCount', zone.sets.size),
      ]),
      xmlNode('DelegationSet', [
        xmlNode(
          'NameServers',
          zone.nameServers.map((server) => xmlNode('NameServer', server.replace(/\.$/, ''))),
        ),
      ]),
    ]),
  );
}

export function errorResponse(error: Route53ApiError, requestId: string): string {
  return serializeXmlDocument(
    rootNode('ErrorResponse', [
      xmlNode('Error', [
        xmlNode('Type', error.type),
        xmlNode('Code', error.code),
        xmlNode('Message', error.message),
      ]),
      xmlNode('RequestId', requestId),
    ]),
  );
}
