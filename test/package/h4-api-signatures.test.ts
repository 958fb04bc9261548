import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as api from '../../index';

const DOC = readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'API.md'), 'utf8');

/** Functions and classes a user never calls by name: the tracker comes from `enableCapture`, whose methods API.md lists as `tracker.…(…)`. */
const NOT_CALLED_BY_NAME = new Set(['ChangeTracker']);

/**
 * docs/API.md is the contract outside tests are written against: each
 * exported function or class has its call written out (`name(` or
 * `new Name(`), with its arguments, not only its name in a list.
 * `backupDatabase`, `restoreDatabase`, `checkDatabaseFile`, `giveNewSiteId`,
 * `giveNewSiteIdToFile` and `securityHeaders` were named and never shown.
 */
describe('docs/API.md writes out the call of every exported function', () => {
  const callable = Object.entries(api)
    .filter(([name, value]) => typeof value === 'function' && !NOT_CALLED_BY_NAME.has(name))
    .map(([name]) => name);

  it.each(callable)('%s', (name) => {
    expect(DOC).toMatch(new RegExp(`(^|[^A-Za-z_.])(new )?${name}\\(`, 'm'));
  });
});

/**
 * An async export returns a promise: a caller who does not know it never sees
 * its refusal (a rejection, not a throw). API.md says so for each, as
 * `→ Promise<…>` or "(async)". `resolveSyncPath`, `joinFromPeer` and
 * `discardGuardedUpload` did not (and `resolveSyncPath` was said to throw).
 */
describe('docs/API.md says which exported functions return a promise', () => {
  const asyncExports = Object.entries(api)
    .filter(([, value]) => typeof value === 'function' && value.constructor.name === 'AsyncFunction')
    .map(([name]) => name);

  it('finds the async exports', () => {
    expect(asyncExports).toEqual(expect.arrayContaining(['backupDatabase', 'joinFromPeer', 'resolveSyncPath', 'saveGuardedUpload']));
  });

  it.each(asyncExports)('%s', (name) => {
    const promise = new RegExp(`${name}\\((?:[^()]|\\([^()]*\\))*\\)\`?(?: \\(async\\)| → Promise)`);
    expect(DOC).toMatch(promise);
  });
});
