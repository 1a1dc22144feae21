/**
 * Reads a ChangeResourceRecordSetsRequest body into typed changes and rejects what Route 53 rejects before it
 * ever looks at the zone: malformed XML (MalformedInput) and shape errors (InvalidInput, with the wording the
 * real service uses, e.g. "Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], ...]").
 * Only the first shape error is reported, as Route 53 does; problems against the zone's contents are the
 * validator's job and are all reported together.
 */
import { invalidInput, malformedInput } from './api-error';
import { fqdn, RECORD_TYPES, type R53RecordSet } from './record-set';
import { childElement, childElements, childText, parseXml, XmlSyntaxError, type XmlElement } from './xml';

export type ChangeAction = 'CREATE' | 'DELETE' | 'UPSERT';

export interface ParsedChange {
  action: ChangeAction;
  recordSet: R53RecordSet;
}

export interface ParsedChangeBatch {
  comment?: string;
  changes: ParsedChange[];
}

const ACTIONS: readonly ChangeAction[] = ['CREATE', 'DELETE', 'UPSERT'];

/** Routing features Route 53 has and this server does not model: refused loudly rather than ignored. */
const UNSUPPORTED_FIELDS = [
  'Region',
  'Failover',
  'GeoLocation',
  'MultiValueAnswer',
  'HealthCheckId',
  'TrafficPolicyInstanceId',
  'CidrRoutingConfig',
  'GeoProximityLocation',
] as const;

const MAX_TTL = 2_147_483_647;
const MAX_WEIGHT = 255;
const MAX_SET_IDENTIFIER_LENGTH = 128;
const MAX_VALUE_LENGTH = 4000;

function validationError(value: string, path: string, constraint: string): never {
  throw invalidInput(
    `1 validation error detected: Value '${value}' at '${path}' failed to satisfy constraint: ${constraint}`,
  );
}

function parseInteger(raw: string, path: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(raw.trim())) validationError(raw, path, 'Member must be an integer');
  const value = Number(raw.trim());
  if (value < min) validationError(raw, path, `Member must have value greater than or equal to ${min}`);
  if (value > max) validationError(raw, path, `Member must have value less than or equal to ${max}`);
  return value;
}

function parseBoolean(raw: string, path: string): boolean {
  const value = raw.trim();
  if (value !== 'true' && value !== 'false') validationError(raw, path, 'Member must be true or false');
  return value === 'true';
}

function requiredText(parent: XmlElement, name: string, path: string): string {
  const text = childText(parent, name);
  if (text === undefined || text.trim() === '') {
    validationError(
      'null',
      `${path}.${name.charAt(0).toLowerCase()}${name.slice(1)}`,
      'Member must not be null',
    );
  }
  return text.trim();
}

function changeLabel(action: string, set: R53RecordSet): string {
  return `[Action=${action}, Name=${fqdn(set.name)}, Type=${set.type}, SetIdentifier=${set.setIdentifier ?? 'null'}]`;
}

function parseRecordSet(element: XmlElement, action: ChangeAction, path: string): R53RecordSet {
  const name = requiredText(element, 'Name', path);
  const type = requiredText(element, 'Type', path);
  if (!(RECORD_TYPES as readonly string[]).includes(type)) {
    validationError(type, `${path}.type`, `Member must satisfy enum value set: [${RECORD_TYPES.join(', ')}]`);
  }
  const set: R53RecordSet = { name, type };

  const setIdentifier = childText(element, 'SetIdentifier');
  if (setIdentifier !== undefined) {
    if (setIdentifier.length < 1 || setIdentifier.length > MAX_SET_IDENTIFIER_LENGTH) {
      validationError(
        setIdentifier,
        `${path}.setIdentifier`,
        `Member must have length between 1 and ${MAX_SET_IDENTIFIER_LENGTH}`,
      );
    }
    set.setIdentifier = setIdentifier;
  }
  const weight = childText(element, 'Weight');
  if (weight !== undefined) set.weight = parseInteger(weight, `${path}.weight`, 0, MAX_WEIGHT);
  const ttl = childText(element, 'TTL');
  if (ttl !== undefined) set.ttl = parseInteger(ttl, `${path}.tTL`, 0, MAX_TTL);

  const records = childElement(element, 'ResourceRecords');
  if (records !== undefined) {
    set.values = childElements(records, 'ResourceRecord').map((record, index) => {
      const value = childText(record, 'Value');
      const valuePath = `${path}.resourceRecords.${index + 1}.member.value`;
      if (value === undefined) validationError('null', valuePath, 'Member must not be null');
      if (value.length > MAX_VALUE_LENGTH) {
        validationError(
          value,
          valuePath,
          `Member must have length less than or equal to ${MAX_VALUE_LENGTH}`,
        );
      }
      return value;
    });
    if (set.values.length === 0) {
      validationError('[]', `${path}.resourceRecords`, 'Member must have length greater than or equal to 1');
    }
  }

  const alias = childElement(element, 'AliasTarget');
  if (alias !== undefined) {
    const aliasPath = `${path}.aliasTarget`;
    set.alias = {
      hostedZoneId: requiredText(alias, 'HostedZoneId', aliasPath).replace(/^\/hostedzone\//, ''),
      dnsName: requiredText(alias, 'DNSName', aliasPath),
      evaluateTargetHealth: parseBoolean(
        requiredText(alias, 'EvaluateTargetHealth', aliasPath),
        `${aliasPath}.evaluateTargetHealth`,
      ),
    };
  }

  for (const field of UNSUPPORTED_FIELDS) {
    if (childElement(element, field) !== undefined) {
      throw invalidInput(
        `${field} in Change with ${changeLabel(action, set)} is valid for Route 53 but not supported by the local Route 53 test server`,
      );
    }
  }

  const hasPlainData = set.ttl !== undefined && set.values !== undefined;
  const hasAnyPlainData = set.ttl !== undefined || set.values !== undefined;
  const expected =
    'Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId]';
  if (set.alias !== undefined && hasAnyPlainData) {
    throw invalidInput(
      `Invalid request: ${expected}, but found more than one in Change with ${changeLabel(action, set)}`,
    );
  }
  if (set.alias === undefined && !hasPlainData) {
    throw invalidInput(
      `Invalid request: ${expected}, but found none in Change with ${changeLabel(action, set)}`,
    );
  }
  if (set.weight !== undefined && set.setIdentifier === undefined) {
    throw invalidInput(
      `Invalid request: Missing field 'SetIdentifier' in Change with ${changeLabel(action, set)}`,
    );
  }
  if (set.setIdentifier !== undefined && set.weight === undefined) {
    throw invalidInput(
      'Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, ' +
        `GeoProximityLocation, or CidrRoutingConfig], but found none in Change with ${changeLabel(action, set)}`,
    );
  }
  return set;
}

/** Parses the body of POST /2013-04-01/hostedzone/{Id}/rrset; throws Route53ApiError on anything invalid. */
export function parseChangeBatchRequest(body: string): ParsedChangeBatch {
  let root: XmlElement;
  try {
    root = parseXml(body);
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw malformedInput(`Invalid XML: ${error.message}`);
    throw error;
  }
  if (root.name !== 'ChangeResourceRecordSetsRequest') {
    throw malformedInput(`Expected ChangeResourceRecordSetsRequest, found ${root.name}`);
  }
  const batch = childElement(root, 'ChangeBatch');
  if (batch === undefined)
    throw malformedInput('ChangeBatch is not valid, expected ChangeResourceRecordSetsRequest');

  const changeElements = childElements(
    childElement(batch, 'Changes') ?? { ...batch, children: [] },
    'Change',
  );
  if (changeElements.length === 0) {
    validationError('[]', 'changeBatch.changes', 'Member must have length greater than or equal to 1');
  }
  const changes = changeElements.map((element, index): ParsedChange => {
    const path = `changeBatch.changes.${index + 1}.member`;
    const action = requiredText(element, 'Action', path);
    if (!(ACTIONS as readonly string[]).includes(action)) {
      validationError(
        action,
        `${path}.action`,
        `Member must satisfy enum value set: [${ACTIONS.join(', ')}]`,
      );
    }
    const recordSet = childElement(element, 'ResourceRecordSet');
    if (recordSet === undefined)
      validationError('null', `${path}.resourceRecordSet`, 'Member must not be null');
    const typedAction = action as ChangeAction;
    return {
      action: typedAction,
      recordSet: parseRecordSet(recordSet, typedAction, `${path}.resourceRecordSet`),
    };
  });
  const comment = childText(batch, 'Comment');
  return comment === undefined ? { changes } : { comment, changes };
}
