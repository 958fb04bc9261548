import { runCli } from '../helpers/h7-cli';

/**
 * With `--json` anywhere on the command line, commander's own usage errors are
 * printed on stdout as the documented `{ "error": { "code", "message" } }`
 * (BAD_USAGE, exit code 1), as every other failure is. A regression test: this
 * already held when it was written.
 */
describe('--json: commander usage errors are the JSON error object on stdout', () => {
  it.each<[string, string[], RegExp]>([
    ['an unknown option', ['status', '--url', 'http://127.0.0.1:9', '--bogus', '--json'], /^unknown option '--bogus'/],
    ['--json=yes beside --json', ['status', '--json=yes', '--json', '--url', 'http://127.0.0.1:9'], /^unknown option '--json=yes'/],
    ['an option missing its value', ['status', '--json', '--url', 'http://127.0.0.1:9', '--token'], /^option '--token <token>' argument missing/],
    ['an excess argument', ['status', '--url', 'http://127.0.0.1:9', 'extra', '--json'], /^too many arguments for 'status'/],
    ['an unknown command', ['stats', '--json'], /^unknown command 'stats'/],
    ['--json before the command', ['--json', 'backup', '--db', 'a.db', '--out', 'b.db'], /^unknown option '--json'/],
  ])('%s', async (_name, args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(result.stdout.endsWith('\n')).toBe(true);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'BAD_USAGE', message: expect.stringMatching(message) } });
    expect(result.stderr).toMatch(/^error: /); // and the usage error, with help, on stderr
  });

  it('without --json, a usage error is text on stderr only', async () => {
    const result = await runCli(['status', '--url', 'http://127.0.0.1:9', '--json=yes']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: unknown option '--json=yes'/);
  });
});
