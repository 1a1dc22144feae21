/**
 * Asks the lab's DNS server for one name every ~50 ms (UDP, like a resolver would; TCP only for a truncated
 * reply) and reports each change of the answer the moment it is seen: this is how the lab measures "DNS answer
 * changed" from the outside, the way a client would notice, not from what the provider layer says it did.
 */
import { type NameServerAddress, queryNameServer } from '../drill/answer-observer';

export interface DnsAnswerChange {
  /** Sorted values of the answer; empty when the name has no record of the type. */
  values: string[];
  /** Local epoch ms when the reply arrived. */
  at: number;
}

export interface DnsAnswerPollerOptions {
  server: NameServerAddress;
  name: string;
  type: 'A' | 'AAAA' | 'CNAME';
  /** @defaultValue 50 */
  intervalMs?: number;
  /** One query's deadline. @defaultValue 500 */
  timeoutMs?: number;
  onChange?: (change: DnsAnswerChange) => void;
  now?: () => number;
}

export class DnsAnswerPoller {
  /** The newest answer (undefined until the server first answered). */
  current: DnsAnswerChange | undefined;
  /** The newest failure to get an answer, cleared by the next answer. */
  lastError: string | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: DnsAnswerPollerOptions) {}

  start(): void {
    if (this.loop !== undefined) return;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** `api.lab.test A 127.0.0.11` (or `... (no answer)`), for people. */
  describe(values: readonly string[] | undefined = this.current?.values): string {
    const shown = values === undefined ? '(no reply yet)' : values.join(', ') || '(no answer)';
    return `${this.options.name} ${this.options.type} ${shown}`;
  }

  private async run(): Promise<void> {
    const now = this.options.now ?? Date.now;
    const intervalMs = this.options.intervalMs ?? 50;
    while (!this.stopped) {
      try {
        const answer = await queryNameServer(
          this.options.server,
          this.options.name,
          this.options.type,
          this.options.timeoutMs ?? 500,
        );
        const values = [...answer.values].sort();
        this.lastError = undefined;
        if (this.current === undefined || this.current.values.join(',') !== values.join(',')) {
          this.current = { values, at: now() };
          this.options.onChange?.(this.current);
        }
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
