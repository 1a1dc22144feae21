/** Property test of determinism (issue 2, invariant 7). Set QUORUM_PROPERTY_RUNS to run more cases. */
import fc from 'fast-check';
import { arbScenario, concreteSteps, propertyParams as params, runSequence } from './arbitraries';

describe('invariant 7: determinism', () => {
  it('gives deep-equal output for the same input, also after a JSON round trip of the state, without mutating inputs', () => {
    fc.assert(
      fc.property(arbScenario(), ({ service, raw, spans }) => {
        const steps = concreteSteps(service, raw, spans);
        const plain = runSequence(service, steps);
        // Same input again, every input deep-frozen (a mutation throws) and the state stored and
        // reloaded as JSON between evaluations, as the evaluator does through Redis.
        const again = runSequence(service, steps, { freezeInputs: true, jsonRoundTrip: true });
        expect(JSON.stringify(again)).toBe(JSON.stringify(plain));
      }),
      params,
    );
  });
});
