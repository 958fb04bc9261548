import path from 'node:path';
import { makeRoots } from '../helpers/file-roots';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { runCli } from '../helpers/h7-cli';

/**
 * A token the server refuses (401): the CLI says which token it sent (from
 * `--token` or `SYNC_TOKEN`) and whether quotes wrap it, as an env file keeps
 * them; before, it said only "the sync token is wrong". The token itself is
 * never printed.
 */
describe('the CLI names the token a server refused', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  beforeAll(async () => {
    temp = tempDir();
    server = await startServer(makeApp({ roots: makeRoots(path.join(temp.dir, 'data')) }));
  });
  afterAll(async () => {
    await server.close();
    temp.cleanup();
  });

  it.each<[string, string[], Record<string, string>, RegExp]>([
    ['a wrong SYNC_TOKEN', ['status'], { SYNC_TOKEN: 'h7-wrong-token-0123456789abcdef' }, /^GET status: the sync token is wrong\. The token sent is the one of SYNC_TOKEN; it must be one of the server's tokens/],
    ['SYNC_TOKEN with the quotes of an env file', ['status'], { SYNC_TOKEN: `"${TEST_TOKEN}"` }, /The token sent is the one of SYNC_TOKEN \(it starts and ends with ": if the quotes are not part of the token, as an env file, a compose file or docker -e may keep them, remove them\)/],
    ["--token with quotes, SYNC_TOKEN right (--token wins)", ['sync', '--token', `'${TEST_TOKEN}'`], { SYNC_TOKEN: TEST_TOKEN }, /^sync: the sync token is wrong\. The token sent is the one of --token \(it starts and ends with '/],
  ])('%s', async (_name, args, env, message) => {
    const [command = '', ...rest] = args;
    const result = await runCli([command, '--url', server.url, ...rest, '--json'], env);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.stringMatching(message) } });
    expect(result.stdout + result.stderr).not.toContain(TEST_TOKEN);
    expect(result.stdout + result.stderr).not.toContain('h7-wrong-token');
  });

  it('the right token still reads the status', async () => {
    const result = await runCli(['status', '--url', server.url, '--json'], { SYNC_TOKEN: TEST_TOKEN });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ peers: [] });
  });
});
