import { normalizeDnsName } from './names';
import type { Problem } from './problem';
import type { Service } from './types';
import { below, type Origin, problemAt, where } from './yaml-source';

/** Problems of the same DNS name steered by two services (the same type, or a CNAME with anything). */
export function checkNameConflicts(
  services: ReadonlyArray<{ service: Service; origin: Origin; names: readonly string[] }>,
): Problem[] {
  const problems: Problem[] = [];
  const owners = new Map<string, Array<{ service: string; recordType: string; origin: Origin }>>();
  for (const { service, origin, names } of services) {
    names.forEach((written, index) => {
      const name = normalizeDnsName(written);
      const list = owners.get(name) ?? [];
      const clash = list.find(
        (o) =>
          o.recordType === service.recordType || o.recordType === 'CNAME' || service.recordType === 'CNAME',
      );
      if (clash) {
        problems.push(
          problemAt(
            below(origin, 'names', index),
            `DNS name "${name}" is already steered by service "${clash.service}" (${clash.recordType}, at ${where(clash.origin, 'value')}): two services would overwrite each other`,
          ),
        );
      }
      list.push({
        service: service.name,
        recordType: service.recordType,
        origin: below(origin, 'names', index),
      });
      owners.set(name, list);
    });
  }
  return problems;
}
