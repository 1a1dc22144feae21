/**
 * Typed errors of drills. Each has a stable `code` for scripts and tests and a message that names what is
 * wrong (the service, the pool, the drill already running) so the CLI prints it as one line.
 */

/** The drill request names something the configuration does not have, or asks for something impossible. */
export class DrillRequestError extends Error {
  override readonly name = 'DrillRequestError';

  constructor(
    message: string,
    /** EUNKNOWN_SERVICE, EUNKNOWN_POOL, EDRILL_DURATION, EDRILL_POOLS, EDRILL_ID. */
    readonly code: string,
  ) {
    super(message);
  }
}

/** A drill overlay already exists for the service: one drill per service at a time. */
export class DrillAlreadyRunningError extends Error {
  readonly code = 'EDRILL_RUNNING';
  override readonly name = 'DrillAlreadyRunningError';

  constructor(
    readonly service: string,
    /** Id of the drill holding the overlay, when it could be read. */
    readonly runningId: string | undefined,
    /** Milliseconds until the overlay expires (its backstop), when known. */
    readonly remainingMs: number | undefined,
  ) {
    super(
      `a drill is already running on ${service}${runningId !== undefined ? ` (${runningId})` : ''}` +
        `${remainingMs !== undefined && remainingMs >= 0 ? `, its overlay expires in ${Math.ceil(remainingMs / 1000)} s` : ''}; ` +
        `stop it with: quorumdns drill stop --service ${service}`,
    );
  }
}
