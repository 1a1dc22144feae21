/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading is the point of this module */
/**
 * The adapter of a configured provider. Each adapter module is required only when a provider of its type is
 * used, so `quorumdns validate` (and an evaluator steering only Cloud DNS) never loads the AWS SDK, and the
 * reverse.
 */
import type { Redis } from 'ioredis';
import type { Provider } from '../config/types';
import type { DnsProviderAdapter } from './provider-adapter';

export interface AdapterDeps {
  /** Environment for the cloud SDKs' credential chains (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The `local` provider keeps its zones in the deployment's Redis. */
  redis: Redis;
  /** `deployment.redis.keyPrefix`: where the `local` provider's zones live. */
  keyPrefix: string;
}

export function createAdapter(provider: Provider, deps: AdapterDeps): DnsProviderAdapter {
  const env = deps.env ?? process.env;
  switch (provider.type) {
    case 'route53': {
      const module = require('./route53/route53-adapter') as typeof import('./route53/route53-adapter');
      return module.createRoute53Adapter(provider, { env });
    }
    case 'clouddns': {
      const module = require('./clouddns/clouddns-adapter') as typeof import('./clouddns/clouddns-adapter');
      return module.createCloudDnsAdapter(provider, { env });
    }
    case 'local': {
      const module = require('./local/local-adapter') as typeof import('./local/local-adapter');
      return module.createLocalAdapter(provider, { redis: deps.redis, keyPrefix: deps.keyPrefix });
    }
    default: {
      const unknown: never = provider;
      throw new Error(`unknown provider type ${JSON.stringify((unknown as { type?: unknown }).type)}`);
    }
  }
}

/**
 * One adapter per provider name, created on first use and closed together. Adapters hold SDK clients and
 * sockets; creating one per apply would pay the TLS handshake and credential lookup every time.
 */
export class AdapterPool {
  private readonly adapters = new Map<string, { provider: Provider; adapter: DnsProviderAdapter }>();
  /** Adapters replaced after a reload: an apply may still be using one, so they are closed with the pool. */
  private readonly retired: DnsProviderAdapter[] = [];

  constructor(
    private readonly deps: AdapterDeps,
    private readonly create: (provider: Provider, deps: AdapterDeps) => DnsProviderAdapter = createAdapter,
  ) {}

  /** The adapter of `provider`; a provider whose configuration changed (reload) gets a fresh one. */
  get(provider: Provider): DnsProviderAdapter {
    const cached = this.adapters.get(provider.name);
    if (cached !== undefined && JSON.stringify(cached.provider) === JSON.stringify(provider)) {
      return cached.adapter;
    }
    if (cached !== undefined) this.retired.push(cached.adapter);
    const adapter = this.create(provider, this.deps);
    this.adapters.set(provider.name, { provider, adapter });
    return adapter;
  }

  async close(): Promise<void> {
    const all = [...[...this.adapters.values()].map(({ adapter }) => adapter), ...this.retired.splice(0)];
    this.adapters.clear();
    await Promise.all(all.map((adapter) => adapter.close().catch(() => undefined)));
  }
}
