/** The pure quorum decision core: opinions -> verdicts -> decision -> events, with an explanation. */
export { decide, initialState } from './decide';
export { formatExplanation } from './format-explanation';
export { quorumSize } from './quorum-size';
export { minHealthyCount } from './pool-verdicts';
export { sameDecision, servedEndpoints, servesAnything } from './decision-shape';
export { isOverrideActive } from './overrides';
export type * from './types';
