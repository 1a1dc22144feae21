/**
 * The apex of each zone an adapter reads, looked up once per zone (GetHostedZone, managedZones.get), so that
 * names outside the zone are refused by name before anything is listed: a wrong zone id or managed zone
 * would otherwise simply read nothing, and the plan would create sets nobody resolves.
 */
import type { AdapterCalls } from './adapter-call';
import { ProviderError } from './provider-errors';

/** Looks up a zone's apex (canonical); `beforeRequest` paces the request like the read's others. */
export type ZoneApexLookup = (
  zone: string,
  signal: AbortSignal | undefined,
  beforeRequest: () => Promise<void>,
) => Promise<string>;

export class ZoneApexCache {
  private readonly apexes = new Map<string, Promise<string>>();

  constructor(
    private readonly calls: AdapterCalls,
    private readonly lookup: ZoneApexLookup,
  ) {}

  /** Refuses (REJECTED) canonical names outside the zone, naming every one of them. */
  async assertHolds(
    zone: string,
    names: readonly string[],
    signal: AbortSignal | undefined,
    beforeRequest: () => Promise<void>,
  ): Promise<void> {
    const apex = await this.apex(zone, signal, beforeRequest);
    const outside = names.filter((name) => name !== apex && !name.endsWith(`.${apex}`));
    if (outside.length === 0) return;
    throw new ProviderError(
      'REJECTED',
      `${this.calls.label}: ${this.calls.identity.describeZone(zone)} is ${apex}, which does not hold ` +
        outside.join(', '),
      { provider: this.calls.identity.name },
    );
  }

  private apex(
    zone: string,
    signal: AbortSignal | undefined,
    beforeRequest: () => Promise<void>,
  ): Promise<string> {
    let pending = this.apexes.get(zone);
    if (pending === undefined) {
      pending = this.lookup(zone, signal, beforeRequest);
      // A failed lookup (throttled, aborted) is asked again next time.
      pending.catch(() => this.apexes.delete(zone));
      this.apexes.set(zone, pending);
    }
    return pending;
  }
}
