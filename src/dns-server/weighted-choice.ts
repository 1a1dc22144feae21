/**
 * Which record sets answer a query, the way Route 53 answers weighted records: plain sets answer as they are;
 * among weighted sets (one per pool, `setIdentifier`), each query gets ONE set, chosen with probability
 * weight / total. When every weight is 0, Route 53 answers with every set of the group at equal probability,
 * so a drained-everywhere name still resolves (quorumdns's fail-open keeps that from happening, but a
 * hand-edited zone may).
 */
import type { RecordSet } from '../providers/record-set';

/** A number in [0, 1), like Math.random. */
export type RandomSource = () => number;

export function chooseRecordSets(sets: readonly RecordSet[], random: RandomSource): RecordSet[] {
  const weighted = sets.filter((set) => set.setIdentifier !== undefined);
  if (weighted.length === 0) return [...sets];
  // A plain set beside weighted ones is refused on write; if one was seeded anyway, the plain one answers.
  const plain = sets.filter((set) => set.setIdentifier === undefined);
  if (plain.length > 0) return plain;
  const total = weighted.reduce((sum, set) => sum + (set.weight ?? 0), 0);
  if (total <= 0)
    return [weighted[Math.min(weighted.length - 1, Math.floor(random() * weighted.length))] as RecordSet];
  let point = random() * total;
  for (const set of weighted) {
    const weight = set.weight ?? 0;
    if (weight <= 0) continue;
    if (point < weight) return [set];
    point -= weight;
  }
  // Floating point left a sliver past the last set: it belongs to the last positive one.
  return [[...weighted].reverse().find((set) => (set.weight ?? 0) > 0) as RecordSet];
}
