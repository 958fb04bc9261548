import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '..', '..');

const ESLINT = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

/** Lints one throw-away file placed in a room with the project's ESLint config, as `npm run lint` does, and returns the rules it broke. */
async function brokenRules(relativeFile: string, source: string): Promise<string[]> {
  const file = path.join(ROOT, relativeFile);
  writeFileSync(file, source);
  try {
    const output = await promisify(execFile)(process.execPath, [ESLINT, '--format', 'json', file], { cwd: ROOT }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '[]' }));
    const [result] = JSON.parse(output.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
    return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
  } finally {
    rmSync(file, { force: true });
  }
}

describe('the import rule (npm run lint)', () => {
  it.each([
    ['lib/files importing lib/peers (upward)', 'lib/files/zz-lint-probe.ts', "import { SyncClient } from '../peers/sync-client';\nexport const probe = SyncClient;\n", 'boundaries/dependencies'],
    ['lib/data importing node (upward)', 'lib/data/zz-lint-probe.ts', "import { createSyncNode } from '../../node/create-sync-node';\nexport const probe = createSyncNode;\n", 'boundaries/dependencies'],
    ['middleware importing routes (upward)', 'middleware/zz-lint-probe.ts', "import { createDataRouter } from '../routes/data';\nexport const probe = createDataRouter;\n", 'boundaries/dependencies'],
    ['lib importing express', 'lib/peers/zz-lint-probe.ts', "import { Router } from 'express';\nexport const probe = Router;\n", 'no-restricted-imports'],
    ['the sample app importing an internal', 'sample-app/zz-lint-probe.ts', "import { DEFAULTS } from '../lib/defaults';\nexport const probe = DEFAULTS;\n", 'no-restricted-imports'],
  ])('fails on %s', async (_label, file, source, rule) => {
    expect(await brokenRules(file, source)).toContain(rule);
  }, 60_000);

  it('passes the same kind of import pointing downward (the control)', async () => {
    expect(await brokenRules('lib/peers/zz-lint-probe.ts', "import { SyncError } from '../sync-error';\nimport { DEFAULTS } from '../defaults';\nexport const probe = [SyncError, DEFAULTS];\n")).toEqual([]);
  }, 60_000);
});
