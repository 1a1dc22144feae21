import { didYouMean } from '../config/did-you-mean';
import type { Config, Pool, Service } from '../config/types';
import { OperatorCommandError } from './operator-error';

/** The service a command line names; unknown -> exit 2 naming every known service (and the likely typo). */
export function requireService(config: Config, name: string | undefined): Service {
  const known = Object.keys(config.services).sort();
  if (name === undefined || name === '') {
    throw new OperatorCommandError(
      `no service given; known services: ${known.join(', ') || '(none)'}`,
      'ENOSERVICE',
      2,
    );
  }
  const service = Object.prototype.hasOwnProperty.call(config.services, name)
    ? config.services[name]
    : undefined;
  if (service === undefined) {
    throw new OperatorCommandError(
      `unknown service "${name}"${didYouMean(name, known)}; known services: ${known.join(', ') || '(none)'}`,
      'EUNKNOWN_SERVICE',
      2,
    );
  }
  return service;
}

/** The pool of `service` a command line names; unknown -> exit 2 naming the service's pools. */
export function requirePool(service: Service, name: string | undefined): Pool {
  const known = service.pools.map((pool) => pool.name);
  if (name === undefined || name === '') {
    throw new OperatorCommandError(
      `--pool <name> is required; pools of ${service.name}: ${known.join(', ')}`,
      'ENOPOOL',
      2,
    );
  }
  const pool = service.pools.find((candidate) => candidate.name === name);
  if (pool === undefined) {
    throw new OperatorCommandError(
      `service ${service.name} has no pool "${name}"${didYouMean(name, known)}; its pools: ${known.join(', ')}`,
      'EUNKNOWN_POOL',
      2,
    );
  }
  return pool;
}

/** The services a read-only command shows: the one named, or every service of the config in name order. */
export function selectServices(config: Config, name: string | undefined): Service[] {
  if (name !== undefined) return [requireService(config, name)];
  return Object.keys(config.services)
    .sort()
    .map((key) => config.services[key] as Service);
}
