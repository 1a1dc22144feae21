import type { RawDefaults } from './config-schema';
import type { Entry } from './merge-fragments';
import type { NotificationChannel, Provider } from './types';
import type { Origin } from './yaml-source';

/** What a service is resolved against: the defaults and the top-level names it may refer to. */
export interface ServiceContext {
  defaults?: Entry<RawDefaults>;
  poisonedDefaults: ReadonlySet<string>;
  /** Valid top-level probe region names. */
  regions: readonly string[];
  regionsOrigin?: Origin;
  writtenRegions: ReadonlySet<string>;
  providers: ReadonlyMap<string, Provider>;
  writtenProviders: ReadonlySet<string>;
  channels: ReadonlyMap<string, NotificationChannel>;
  writtenChannels: ReadonlySet<string>;
}
