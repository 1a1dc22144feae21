import type { LookupFunction } from 'node:net';
import type { ConnectViaMap } from './connect-via';
import type { CheckDeadline } from './deadline';

/** What `runCheck` hands to each check kind. */
export interface CheckContext {
  /** The check's single hard deadline, merged with the caller's abort signal. */
  deadline: CheckDeadline;
  /** Resolved header values from the worker (override literal `check.headers` of the same name). */
  headers: Readonly<Record<string, string>> | undefined;
  /** Host name lookup for `check.host`; `undefined` = Node's default (`dns.lookup`, i.e. getaddrinfo). */
  lookup: LookupFunction | undefined;
  /** Lab/test: connect elsewhere when a check targets one of these addresses (`probe --via`). */
  connectVia?: ConnectViaMap;
}
