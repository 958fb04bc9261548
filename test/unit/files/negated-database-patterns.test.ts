import { createFilePolicy } from '../../../lib/files/file-policy';
import { createSyncRouter } from '../../../index';
import { TEST_TOKEN } from '../../helpers/server';

/** A negated extra database pattern would make every other file a database: nothing would sync, and nothing would say why. */
describe('a negated extra database pattern is refused when the policy is built', () => {
  it.each([['!*.db'], ['!!*.sqlite'], ['!secrets/**']])('createSyncRouter refuses extraDatabasePatterns [%j], naming the option and the pattern', (pattern) => {
    expect(() => createSyncRouter({ token: TEST_TOKEN, roots: {}, extraDatabasePatterns: ['*.bak', pattern] })).toThrow(
      new RegExp(`\`extraDatabasePatterns\` holds ${JSON.stringify(pattern).replace(/[*.]/g, '\\$&')}, a negated pattern`),
    );
  });

  it('createFilePolicy refuses it under its own option name', () => {
    expect(() => createFilePolicy({ extraPatterns: ['!*.db'] })).toThrow(/`extraPatterns` holds "!\*\.db", a negated pattern: it would make every file that does not match "\*\.db" a database file/);
  });

  it('a pattern with "!" elsewhere is still taken', () => {
    const policy = createFilePolicy({ extraPatterns: ['*!.bak'] });
    expect(policy.isDatabaseName('notes/x!.bak')).toBe(true);
    expect(policy.isDatabaseName('notes/readme.txt')).toBe(false);
  });
});
