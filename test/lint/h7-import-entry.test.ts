import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '..', '..');
const ESLINT = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

/** Lints throw-away files placed in rooms with the project's ESLint config in one run, as `npm run lint` does, and returns the rules each broke. */
async function brokenRules(sources: ReadonlyMap<string, string>): Promise<Map<string, string[]>> {
  const files = [...sources.keys()].map((relative) => path.join(ROOT, relative));
  [...sources.values()].forEach((source, index) => writeFileSync(files[index] as string, source));
  try {
    const output = await promisify(execFile)(process.execPath, [ESLINT, '--format', 'json', ...files], { cwd: ROOT }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '[]' }));
    const results = JSON.parse(output.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string | null; message: string }> }>;
    return new Map(results.map((result) => [path.relative(ROOT, result.filePath), result.messages.map((message) => message.ruleId ?? message.message)]));
  } finally {
    for (const file of files) rmSync(file, { force: true });
  }
}

/**
 * The public entry, index.ts, sits above every room but the sample app
 * (docs/ARCHITECTURE.md: sample-app → index.ts → node → … → lib). It was in no
 * room, so `lib/`, `middleware/`, `routes/`, `node/` or the CLI could import
 * `../index` (an upward import, and a cycle through every room) and
 * `npm run lint` said nothing.
 */
describe('the import rule and the public entry (index.ts)', () => {
  const probe = (entry: string): string => `import { createSyncNode } from '${entry}';\nexport const probe = createSyncNode;\n`;
  const upward: ReadonlyArray<readonly [string, string]> = [
    ['lib/data/zz-h7-entry-probe.ts', '../../index'],
    ['lib/peers/zz-h7-entry-probe.ts', '../../index'],
    ['lib/files/zz-h7-entry-probe.ts', '../../index'],
    ['lib/zz-h7-entry-probe.ts', '../index'],
    ['middleware/zz-h7-entry-probe.ts', '../index'],
    ['routes/zz-h7-entry-probe.ts', '../index'],
    ['node/zz-h7-entry-probe.ts', '../index'],
    ['bin/zz-h7-entry-probe.ts', '../index'],
  ];
  const control = 'sample-app/zz-h7-entry-probe.ts';
  let broken: Map<string, string[]>;
  beforeAll(async () => {
    broken = await brokenRules(new Map([...upward.map(([file, entry]) => [file, probe(entry)] as const), [control, probe('../index')]]));
  }, 120_000);

  it.each(upward.map(([file]) => file))('fails on %s importing the public entry (upward)', (file) => {
    expect(broken.get(file)).toContain('boundaries/dependencies');
  });

  it('passes the sample app importing the public entry, as a user app does (the control)', () => {
    expect(broken.get(control)).toEqual([]);
  });
});
