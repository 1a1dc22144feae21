import {
  CheckAbortedError,
  CheckDeadline,
  CheckDeadlineExpiredError,
  onDeadlineStop,
} from '../../../src/probe/checks/deadline';

describe('CheckDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('aborts with CheckDeadlineExpiredError exactly when the timeout expires', () => {
    const deadline = new CheckDeadline(2000);
    const stops: unknown[] = [];
    onDeadlineStop(deadline, (reason) => stops.push(reason));
    jest.advanceTimersByTime(1999);
    expect(stops).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(stops).toHaveLength(1);
    expect(stops[0]).toBeInstanceOf(CheckDeadlineExpiredError);
    expect(deadline.stopReason).toMatchObject({ code: 'QDNS_CHECK_DEADLINE_EXPIRED', timeoutMs: 2000 });
    deadline.dispose();
  });

  it('aborts with CheckAbortedError when the caller aborts first, and the timer is gone', () => {
    const controller = new AbortController();
    const deadline = new CheckDeadline(2000, controller.signal);
    controller.abort();
    expect(deadline.stopReason).toBeInstanceOf(CheckAbortedError);
    expect(jest.getTimerCount()).toBe(0);
    deadline.dispose();
  });

  it('is stopped from the start when the caller signal is already aborted', () => {
    const controller = new AbortController();
    controller.abort();
    const deadline = new CheckDeadline(2000, controller.signal);
    const stops: unknown[] = [];
    onDeadlineStop(deadline, (reason) => stops.push(reason));
    expect(stops[0]).toBeInstanceOf(CheckAbortedError);
    deadline.dispose();
  });

  it('dispose releases the timer and the listener on the caller signal', () => {
    const controller = new AbortController();
    const deadline = new CheckDeadline(2000, controller.signal);
    deadline.dispose();
    expect(jest.getTimerCount()).toBe(0);
    controller.abort();
    expect(deadline.signal.aborted).toBe(false);
  });

  it('unsubscribing stops notifications', () => {
    const deadline = new CheckDeadline(100);
    const stops: unknown[] = [];
    const unsubscribe = onDeadlineStop(deadline, (reason) => stops.push(reason));
    unsubscribe();
    jest.advanceTimersByTime(100);
    expect(stops).toEqual([]);
    deadline.dispose();
  });
});

describe('CheckDeadline with one shared caller signal', () => {
  it('adds a single listener to the caller signal however many checks share it, and aborts them all', () => {
    const controller = new AbortController();
    const added = jest.spyOn(controller.signal, 'addEventListener');
    const deadlines = Array.from({ length: 1000 }, () => new CheckDeadline(60_000, controller.signal));
    expect(added).toHaveBeenCalledTimes(1);
    deadlines[0]!.dispose(); // a finished check no longer hears the abort
    controller.abort();
    expect(deadlines[0]!.signal.aborted).toBe(false);
    expect(deadlines.slice(1).every((deadline) => deadline.stopReason instanceof CheckAbortedError)).toBe(
      true,
    );
    for (const deadline of deadlines) deadline.dispose();
  });
});
