/**
 * The in-memory adapter passes the same conformance suite as the real adapters, in both weighted styles (so
 * the shared layer is proven against Route-53-like weighted sets and Cloud-DNS-like wrr items), plus checks of
 * its own validation, which the shared-layer tests rely on.
 */
import { ProviderError } from '../../../src/providers/provider-errors';
import type { RecordSet } from '../../../src/providers/record-set';
import { describeAdapterConformance } from '../conformance/adapter-conformance';
import { MemoryAdapter } from '../support/memory-adapter';
import { memoryHarness } from '../support/memory-harness';

describeAdapterConformance('memory (set-per-pool, Route 53 style)', async () => memoryHarness());
describeAdapterConformance('memory (items-in-set, Cloud DNS style, exact updates)', async () =>
  memoryHarness({ weightedStyle: 'items-in-set', exactUpdates: true, updateCost: 1 }),
);

describe('MemoryAdapter validation', () => {
  const zone = 'example.com';
  const a = (name: string, values: string[], extra: Partial<RecordSet> = {}): RecordSet => ({
    name,
    type: 'A',
    ttl: 30,
    values,
    ...extra,
  });
  let memory: MemoryAdapter;

  beforeEach(() => {
    memory = new MemoryAdapter();
    memory.createZone(zone);
  });

  const codeOf = (promise: Promise<unknown>): Promise<string | undefined> =>
    promise.then(
      () => undefined,
      (error: unknown) => (error instanceof ProviderError ? error.code : String(error)),
    );

  it('rejects a create of an existing set as a conflict and applies nothing of the batch', async () => {
    memory.seed(zone, [a('www.example.com', ['192.0.2.1'])]);
    const code = await codeOf(
      memory.apply(zone, [
        { action: 'create', after: a('api.example.com', ['192.0.2.9']) },
        { action: 'create', after: a('www.example.com', ['192.0.2.2']) },
      ]),
    );
    expect(code).toBe('CONFLICT');
    expect(memory.snapshot(zone)).toEqual([a('www.example.com', ['192.0.2.1'])]);
  });

  it('rejects a delete whose values do not match', async () => {
    memory.seed(zone, [a('www.example.com', ['192.0.2.1'])]);
    expect(
      await codeOf(memory.apply(zone, [{ action: 'delete', before: a('www.example.com', ['192.0.2.2']) }])),
    ).toBe('CONFLICT');
  });

  it('rejects a CNAME beside other records and a plain set beside weighted ones', async () => {
    memory.seed(zone, [a('www.example.com', ['192.0.2.1'])]);
    const cname: RecordSet = { name: 'www.example.com', type: 'CNAME', ttl: 30, values: ['lb.example.net'] };
    expect(await codeOf(memory.apply(zone, [{ action: 'create', after: cname }]))).toBe('REJECTED');
    const weighted = a('www.example.com', ['192.0.2.5'], { setIdentifier: 'east', weight: 1 });
    expect(await codeOf(memory.apply(zone, [{ action: 'create', after: weighted }]))).toBe('REJECTED');
    // Deleting the plain set in the same batch makes the weighted one valid: batches are validated as a whole.
    await memory.apply(zone, [
      { action: 'delete', before: a('www.example.com', ['192.0.2.1']) },
      { action: 'create', after: weighted },
    ]);
    expect(memory.snapshot(zone)).toEqual([weighted]);
  });

  it('enforces its request limits', async () => {
    const small = new MemoryAdapter({ limits: { maxChanges: 1, maxRecordValues: 10, maxValueChars: 100 } });
    small.createZone(zone);
    const code = await codeOf(
      small.apply(zone, [
        { action: 'create', after: a('a.example.com', ['192.0.2.1']) },
        { action: 'create', after: a('b.example.com', ['192.0.2.2']) },
      ]),
    );
    expect(code).toBe('REJECTED');
  });

  it('applies an ambiguous failure before reporting it', async () => {
    memory.injectFault({ operation: 'apply', code: 'UNAVAILABLE', afterCommit: true });
    expect(
      await codeOf(memory.apply(zone, [{ action: 'create', after: a('www.example.com', ['192.0.2.1']) }])),
    ).toBe('UNAVAILABLE');
    expect(memory.snapshot(zone)).toHaveLength(1);
  });

  it('pages reads: one request per page', async () => {
    memory.seed(
      zone,
      Array.from({ length: 250 }, (_, i) => a(`r${i}.example.com`, [`10.0.0.${(i % 250) + 1}`])),
    );
    const read = await memory.read({ zone, names: ['r7.example.com', 'r249.example.com'] });
    expect(read.map((set) => set.name).sort()).toEqual(['r249.example.com', 'r7.example.com']);
    expect(memory.count('read')).toBe(3);
  });
});
