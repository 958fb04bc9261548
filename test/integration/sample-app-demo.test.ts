import { existsSync } from 'node:fs';
import { runDemo } from '../../sample-app/demo';

describe('npm run demo', () => {
  it('converges three live servers after conflicting edits, prints the digests, and cleans up', async () => {
    const lines: string[] = [];
    const code = await runDemo((line = '') => lines.push(line));
    const output = lines.join('\n');
    expect(code).toBe(0);
    expect(output).toContain('CONVERGED: all 3 servers hold the same rows and the same files');
    for (const name of ['table teams', 'table matches', 'table match_reports', 'table app_events', 'files config/', 'files uploads/']) {
      expect(output).toMatch(new RegExp(`^${name} .* equal$`, 'm'));
    }
    expect(output).not.toContain('DIFFERENT');
    expect(output).toMatch(/^ {2}config\/event\.sync-conflict-\d{8}-\d{6}-\w+\.json {2}\(on A, B, C\)$/m);
    expect(output).toContain('deleted everywhere (a delete wins over a concurrent edit)');
    expect(output).toContain('no database file was synced');
    const removed = /^Stopped the servers and removed (.+)\.$/m.exec(output)?.[1];
    expect(removed).toBeDefined();
    expect(existsSync(removed ?? '/')).toBe(false);
  });
});
