/**
 * Route 53's documented per-request maximums for ChangeResourceRecordSets ("Quotas" > "Maximums on API
 * requests"): at most 1,000 ResourceRecord elements and 32,000 characters summed over every Value element,
 * where an UPSERT counts each record and each character twice (it is a DELETE plus a CREATE internally).
 * The messages are the ones the real service returns.
 */
import type { ParsedChangeBatch } from './change-batch-xml';

export interface ChangeBatchLimits {
  maxResourceRecords: number;
  maxValueChars: number;
}

export const DEFAULT_CHANGE_BATCH_LIMITS: Readonly<ChangeBatchLimits> = {
  maxResourceRecords: 1000,
  maxValueChars: 32000,
};

export interface ChangeBatchSize {
  resourceRecords: number;
  valueChars: number;
}

/** What a batch costs against the limits, UPSERT counted twice. */
export function measureChangeBatch(batch: ParsedChangeBatch): ChangeBatchSize {
  let resourceRecords = 0;
  let valueChars = 0;
  for (const change of batch.changes) {
    const factor = change.action === 'UPSERT' ? 2 : 1;
    const values = change.recordSet.values ?? [];
    resourceRecords += factor * values.length;
    valueChars += factor * values.reduce((sum, value) => sum + value.length, 0);
  }
  return { resourceRecords, valueChars };
}

/** The InvalidChangeBatch messages for every limit the batch exceeds (empty when it fits). */
export function limitViolations(batch: ParsedChangeBatch, limits: ChangeBatchLimits): string[] {
  const size = measureChangeBatch(batch);
  const messages: string[] = [];
  if (size.resourceRecords > limits.maxResourceRecords) {
    messages.push(`Number of records limit of ${limits.maxResourceRecords} exceeded.`);
  }
  if (size.valueChars > limits.maxValueChars) {
    messages.push(`RDATA character limit of ${limits.maxValueChars} exceeded.`);
  }
  return messages;
}
