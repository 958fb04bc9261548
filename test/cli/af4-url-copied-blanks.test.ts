import path from 'node:path';
import { normalizePeerUrl } from '../../lib/peers/peer-url';
import { makeRoots } from '../helpers/file-roots';
import { runCli } from '../helpers/h7-cli';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

// Found by helper af4: a URL copied from a chat or a document into `--url`. A trailing space worked (the URL
// parser drops it) but a leading one, or a tab, was "not a URL" with nothing saying why; a no-break space
// (U+00A0) or a zero-width space (U+200B) after the port was "not a URL" shown as `"http://host:5000 "`,
// the character invisible in the message; after the path it went into the path (`/sync%C2%A0/status`,
// "no API route"). Spaces, tabs and line breaks around the URL are now dropped (as SYNC_PEERS's are), and
// any other blank or invisible character is named, escaped, with where it stands.
describe('af4: a URL copied with blanks or invisible characters', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  beforeAll(async () => {
    temp = tempDir('ess-af4-url-');
    server = await startServer(makeApp({ roots: makeRoots(path.join(temp.dir, 'data')) }));
  });
  afterAll(async () => {
    await server.close();
    temp.cleanup();
  });

  it.each([
    ['a leading space', (url: string) => ` ${url}`],
    ['a leading tab', (url: string) => `\t${url}/api/sync`],
    ['spaces and a line break around it', (url: string) => `  ${url}/api/sync \n`],
  ])('status with %s reaches the server', async (_name, given) => {
    const result = await runCli(['status', '--url', given(server.url), '--token', TEST_TOKEN]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^site /); // the server's answer, read
  });

  it.each([
    ['\u00a0', 'after the port', (url: string) => `${url}\u00a0`],
    ['\u200b', 'after the path', (url: string) => `${url}/api/sync\u200b`],
    ['\ufeff', 'before the scheme', (url: string) => `\ufeff${url}`],
    ['\u00a0', 'inside the host', (url: string) => url.replace('127.0.0.1', '127.0.0.1\u00a0')],
  ])('status with %j %s: BAD_URL naming it escaped', async (character, _where, given) => {
    const escaped = `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
    const result = await runCli(['status', '--url', given(server.url), '--token', TEST_TOKEN, '--json']);
    expect(result.code).toBe(1);
    const answer = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe('BAD_URL');
    expect(answer.error.message).toContain(escaped);
    expect(answer.error.message).toMatch(/^--url ".*" holds an invisible character \(U\+[0-9A-F]{4}[^)]*\) at character \d+, as a copy from a chat or a document leaves: type the URL again without it$/);
    expect(answer.error.message).not.toContain(character); // shown escaped, never as itself
  });

  it('a space inside the URL is named too', () => {
    expect(() => normalizePeerUrl('http://10.0.0.2:5000/api sync', '--url')).toThrow('express-sqlite-sync: --url "http://10.0.0.2:5000/api sync" holds a space at character 25, as a copy from a chat or a document leaves: type the URL again without it');
  });

  it('the library reads a peer URL the same way (blanks around it dropped, an invisible character named)', () => {
    expect(normalizePeerUrl(' http://10.0.0.2:5000 ')).toBe('http://10.0.0.2:5000/api/sync');
    expect(() => normalizePeerUrl('http://10.0.0.2:5000\u200b', 'peer')).toThrow(/^express-sqlite-sync: peer "http:\/\/10\.0\.0\.2:5000\\u200b" holds an invisible character \(U\+200B, a zero-width space\) at character 21/);
  });
});
