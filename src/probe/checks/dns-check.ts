import { Resolver } from 'node:dns';
import { isIP } from 'node:net';
import type { DnsCheck } from '../../config/types';
import type { CheckContext } from './check-context';
import { failed, PASSED, quoteForDetail, stoppedVerdict, type CheckVerdict } from './check-outcome';
import { errorCode } from './classify-error';
import { connectAddressFor } from './connect-via';
import { onDeadlineStop } from './deadline';
import { answerMatches, queryDnsAnswers, type DnsAnswer } from './dns-answers';

/** c-ares error codes that are really the server's rcode. NOERROR without data arrives as ENODATA. */
const RCODE_BY_ERROR_CODE: Readonly<Record<string, string>> = {
  ENODATA: 'NOERROR',
  ENOTFOUND: 'NXDOMAIN',
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
  ENOTIMP: 'NOTIMP',
  EFORMERR: 'FORMERR',
};

/** `127.0.0.1:53`, `[::1]:5353`: the form `Resolver.setServers` takes. */
export function formatDnsServer(server: string, port: number): string {
  return isIP(server) === 6 ? `[${server}]:${port}` : `${server}:${port}`;
}

type DnsReply = { rcode: string; answers: DnsAnswer[] } | { error: unknown };

/**
 * A dns check: one query to `server:serverPort` through a fresh node:dns `Resolver` (c-ares).
 *
 * WHY a fresh Resolver per check: c-ares keeps a query cache and per-server failure state per channel; a
 * health check must ask the server every time and never be answered from a cache.
 * WHY node:dns rather than raw UDP with dns-packet: it is built in (dns-packet is only a dev dependency), it
 * falls back to TCP on truncated answers, and its error codes carry the rcode faithfully (see the table above).
 */
export function runDnsCheck(check: DnsCheck, context: CheckContext): Promise<CheckVerdict> {
  const server = formatDnsServer(check.server, check.serverPort);
  const via = connectAddressFor(context.connectVia, check.server, check.serverPort);
  const subject = `${check.query} ${check.recordType}`;
  return new Promise<CheckVerdict>((resolve) => {
    let settled = false;
    // One try; c-ares' own timeout is set beyond the check's so the check's deadline is the one that fires.
    const resolver = new Resolver({ timeout: check.timeout + 1000, tries: 1 });
    let unsubscribe: () => void = () => undefined;

    const settle = (verdict: CheckVerdict): void => {
      if (settled) return;
      settled = true;
      unsubscribe();
      // Ends the outstanding query (its callback gets ECANCELLED, ignored) and c-ares' own timer.
      resolver.cancel();
      resolve(verdict);
    };

    unsubscribe = onDeadlineStop(context.deadline, (reason) =>
      settle(stoppedVerdict(reason, `no answer within ${check.timeout} ms from ${server}`)),
    );
    if (settled) return;

    try {
      // Details keep naming the configured server; only the query goes to the --via address.
      resolver.setServers([formatDnsServer(via.host, via.port)]);
    } catch {
      settle(failed('dns', `invalid DNS server ${quoteForDetail(check.server)}`));
      return;
    }

    queryDnsAnswers(resolver, check.query, check.recordType)
      .then(
        (answers): DnsReply => ({ rcode: 'NOERROR', answers }),
        (error: unknown): DnsReply => {
          const rcode = RCODE_BY_ERROR_CODE[errorCode(error) ?? ''];
          return rcode === undefined ? { error } : { rcode, answers: [] };
        },
      )
      .then((reply) => settle(judgeReply(check, reply, subject, server)));
  });
}

function judgeReply(check: DnsCheck, reply: DnsReply, subject: string, server: string): CheckVerdict {
  if ('error' in reply) {
    const code = errorCode(reply.error) ?? 'unknown error';
    if (code === 'ETIMEOUT') return failed('timeout', `no answer within ${check.timeout} ms from ${server}`);
    if (code === 'ECONNREFUSED') return failed('refused', `query to ${server} refused (ECONNREFUSED)`);
    return failed('dns', `${subject}: ${code} from ${server}`);
  }
  const expectedRcode = check.expectRcode.toUpperCase();
  if (reply.rcode !== expectedRcode)
    return failed('dns', `${subject}: ${reply.rcode} (expected ${expectedRcode})`);
  if (check.expectAnswer === undefined || expectedRcode !== 'NOERROR') return PASSED;
  const expected = check.expectAnswer;
  if (reply.answers.some((answer) => answerMatches(check.recordType, answer, expected))) return PASSED;
  const got = reply.answers.length === 0 ? 'no data' : reply.answers.map((answer) => answer.text).join(', ');
  return failed('dns', `${subject}: no answer equals ${quoteForDetail(expected)} (got ${got})`);
}
