import { ownerRecordValue } from '../../../src/providers/desired-records';
import { assertOwnership, ownershipConflicts, parseOwnerValue } from '../../../src/providers/ownership';
import { ProviderError } from '../../../src/providers/provider-errors';
import type { RecordSet } from '../../../src/providers/record-set';

const txt = (name: string, values: string[]): RecordSet => ({ name, type: 'TXT', ttl: 300, values });
const names = ['www.example.com', 'api.example.com'];

describe('ownership', () => {
  it('parses owner values, quoted or not', () => {
    expect(parseOwnerValue('"heritage=quorumdns,deployment=prod-eu"')).toBe('prod-eu');
    expect(parseOwnerValue('heritage=quorumdns,deployment=prod-eu')).toBe('prod-eu');
    expect(parseOwnerValue('"v=spf1 -all"')).toBeUndefined();
  });

  it('no owner record, or ours: no conflict', () => {
    expect(ownershipConflicts({ current: [], names, deploymentId: 'prod' })).toEqual([]);
    const ours = [txt('_quorumdns.www.example.com', [ownerRecordValue('prod')])];
    expect(ownershipConflicts({ current: ours, names, deploymentId: 'prod' })).toEqual([]);
  });

  it('another deployment: a conflict naming the name and the other owner', () => {
    const current = [
      txt('_quorumdns.www.example.com', [ownerRecordValue('staging')]),
      txt('_quorumdns.api.example.com', [ownerRecordValue('prod')]),
    ];
    expect(ownershipConflicts({ current, names, deploymentId: 'prod' })).toEqual([
      {
        name: 'www.example.com',
        ownerRecord: '_quorumdns.www.example.com',
        values: [ownerRecordValue('staging')],
        otherOwners: ['staging'],
      },
    ]);
  });

  it('our value next to another one, or something that is not an owner value, is a conflict too', () => {
    const shared = [
      txt('_quorumdns.www.example.com', [ownerRecordValue('prod'), ownerRecordValue('staging')]),
    ];
    expect(ownershipConflicts({ current: shared, names, deploymentId: 'prod' })[0]?.otherOwners).toEqual([
      'staging',
    ]);
    const foreign = [txt('_quorumdns.api.example.com', ['"hello"'])];
    expect(ownershipConflicts({ current: foreign, names, deploymentId: 'prod' })[0]).toMatchObject({
      name: 'api.example.com',
      otherOwners: [],
    });
  });

  it('TXT records at the managed name itself are not owner records', () => {
    const current = [txt('www.example.com', [ownerRecordValue('staging')])];
    expect(ownershipConflicts({ current, names, deploymentId: 'prod' })).toEqual([]);
  });

  it('assertOwnership throws one NOT_OWNER error listing every conflict', () => {
    const current = [
      txt('_quorumdns.www.example.com', [ownerRecordValue('staging')]),
      txt('_quorumdns.api.example.com', ['"hello"']),
    ];
    let thrown: unknown;
    try {
      assertOwnership({ current, names, deploymentId: 'prod', provider: 'aws-main' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProviderError);
    const error = thrown as ProviderError;
    expect(error.code).toBe('NOT_OWNER');
    expect(error.transient).toBe(false);
    expect(error.provider).toBe('aws-main');
    expect(error.message).toContain('www.example.com is owned by deployment "staging"');
    expect(error.message).toContain('api.example.com is owned by something else ("hello")');
  });
});
