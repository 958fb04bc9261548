import { readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { recordingServer, runCli, type RecordingServer } from './h7-cli';
import { tempDir } from './temp';

/** A peer that records what it is sent (and answers 500), and a temp folder holding a small database `good.db`. */
export interface BadPathFixture {
  readonly server: () => RecordingServer;
  readonly dir: () => string;
  readonly good: () => string;
}

/** Sets up a {@link BadPathFixture}: the peer for the suite, the folder and `good.db` for each test. */
export function badPathFixture(prefix: string): BadPathFixture {
  let server: RecordingServer | undefined;
  let temp: ReturnType<typeof tempDir> | undefined;
  beforeAll(async () => {
    server = await recordingServer((_req, res) => res.writeHead(500).end());
  });
  afterAll(() => server?.close());
  beforeEach(() => {
    temp = tempDir(prefix);
    const db = new Database(path.join(temp.dir, 'good.db'));
    db.exec('CREATE TABLE t (x)');
    db.close();
  });
  afterEach(() => temp?.cleanup());
  const dir = (): string => temp?.dir ?? '';
  return { server: () => server as RecordingServer, dir, good: () => path.join(dir(), 'good.db') };
}

/**
 * Runs the CLI with `args` in the fixture's folder, as text and with `--json`: each is BAD_USAGE (exit 1) saying
 * `<flag> is "<value>"`, nothing is sent to the peer and nothing written. Returns the text run's standard error.
 */
export async function expectBadUsage(fixture: BadPathFixture, args: readonly string[], flag: string, value: string, env: Readonly<Record<string, string>>): Promise<string> {
  const before = fixture.server().requests.length;
  const text = await runCli([...args], env, fixture.dir());
  expect(text.code).toBe(1);
  expect(text.stderr).toMatch(new RegExp(`^express-sqlite-sync: ${flag} is ${JSON.stringify(value)}`, 'm'));
  const json = await runCli([...args, '--json'], env, fixture.dir());
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'BAD_USAGE', message: expect.stringContaining(`${flag} is ${JSON.stringify(value)}`) as string } });
  expect(fixture.server().requests.length).toBe(before); // nothing sent
  expect(readdirSync(fixture.dir()).sort()).toEqual(['good.db']); // nothing written
  return text.stderr;
}
