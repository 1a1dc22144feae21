/**
 * What can stop the lab, each with a stable code. The lab command prints the message (never a stack) and
 * exits 1: these are problems of the machine or of the run, not of the command line.
 */
export class LabError extends Error {
  override readonly name: string = 'LabError';

  constructor(
    message: string,
    /** ENOREDISSERVER, EREDIS, ECHILD, ESTEP, EPORT, EINTERRUPTED, ... */
    readonly code: string,
  ) {
    super(message);
  }
}

/** No `redis-server` binary to start a private Redis with, and no `REDIS_URL` to use instead. */
export class RedisServerNotFoundError extends LabError {
  override readonly name = 'RedisServerNotFoundError';

  constructor() {
    super(
      'redis-server was not found on the PATH: install redis-server (Debian: apt-get install redis-server; ' +
        'macOS: brew install redis) or set REDIS_URL to a Redis the lab may use (it keeps to its own key prefix)',
      'ENOREDISSERVER',
    );
  }
}

/** A child process (probe, evaluate, dns-server, sync) ended when it should not have. */
export class LabChildError extends LabError {
  override readonly name = 'LabChildError';

  constructor(
    message: string,
    readonly child: string,
    readonly logFile: string,
  ) {
    super(message, 'ECHILD');
  }
}

/** A step of the scenario did not happen within its bound. */
export class LabStepTimeoutError extends LabError {
  override readonly name = 'LabStepTimeoutError';

  constructor(
    message: string,
    /** The first step that was still waited for. */
    readonly step: string,
  ) {
    super(message, 'ESTEP');
  }
}

/** SIGINT or SIGTERM before the scenario was over. */
export class LabInterruptedError extends LabError {
  override readonly name = 'LabInterruptedError';

  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`, 'EINTERRUPTED');
  }
}
