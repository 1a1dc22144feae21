import net from 'node:net';
import type { TcpCheck } from '../../config/types';
import type { CheckContext } from './check-context';
import { failed, PASSED, stoppedVerdict, type CheckVerdict } from './check-outcome';
import { classifyError } from './classify-error';
import { connectAddressFor } from './connect-via';
import { onDeadlineStop } from './deadline';

/** A tcp check: the connection is established within the deadline, then closed at once without sending. */
export function runTcpCheck(check: TcpCheck, context: CheckContext): Promise<CheckVerdict> {
  return new Promise<CheckVerdict>((resolve) => {
    let socket: net.Socket | undefined;
    let settled = false;
    let unsubscribe: () => void = () => undefined;

    const settle = (verdict: CheckVerdict): void => {
      if (settled) return;
      settled = true;
      unsubscribe();
      socket?.on('error', () => undefined);
      socket?.destroy();
      resolve(verdict);
    };

    unsubscribe = onDeadlineStop(context.deadline, (reason) =>
      settle(stoppedVerdict(reason, `no connection within ${check.timeout} ms`)),
    );
    if (settled) return;

    const options: net.NetConnectOpts = { ...connectAddressFor(context.connectVia, check.host, check.port) };
    if (context.lookup !== undefined) options.lookup = context.lookup;
    try {
      socket = net.connect(options);
    } catch (error) {
      const classified = classifyError(error);
      settle(failed(classified.failureClass, classified.detail));
      return;
    }
    socket.once('connect', () => settle(PASSED));
    socket.once('error', (error) => {
      const classified = classifyError(error);
      settle(failed(classified.failureClass, classified.detail));
    });
  });
}
