import fc from 'fast-check';
import { divergences } from './scenario/checks';
import { scenarioArbitrary } from './scenario/world';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 500);

describe('convergence on a real schema (UNIQUE, CHECK, FOREIGN KEY, REPLACE, every storage class, three connections)', () => {
  it(`every server ends with the same cells and the same conflicts, whatever the writes and the partial syncs (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        expect(divergences(scenario)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});
