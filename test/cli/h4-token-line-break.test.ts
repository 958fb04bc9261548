import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { readSampleConfig } from '../../sample-app/config';
import { tempDir } from '../helpers/temp';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');
const TOKEN = 'f3a9c41e0b7d5e2a6c8f1d3b';

/** The built command line with `SYNC_TOKEN` set to `token`; never rejects. */
async function cliWithToken(token: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'status', '--url', 'http://127.0.0.1:9', '--json'], { env: { ...process.env, SYNC_TOKEN: token, SYNC_PEER_CA: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * A token read from a file keeps its newline (a secret mounted from a file, an
 * env file saved with CRLF). The sample app and the CLI refused it saying it
 * "holds a space, a control character or a character outside ASCII", while
 * the operator looked at a hex token with none of those. Now they say the
 * token ends with a line break, naming the variable.
 */
describe('SYNC_TOKEN with a trailing line break or space', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-h4-token-');
  });
  afterEach(() => temp.cleanup());

  it.each([
    [`${TOKEN}\n`, 'SYNC_TOKEN ends with a line break (read from a file with its newline?): remove it, no Authorization header can carry it'],
    [`${TOKEN}\r\n`, 'SYNC_TOKEN ends with a line break (read from a file with its newline?): remove it, no Authorization header can carry it'],
    [`${TOKEN} `, 'SYNC_TOKEN starts or ends with a space: remove it, no Authorization header can carry it'],
    [` ${TOKEN}`, 'SYNC_TOKEN starts or ends with a space: remove it, no Authorization header can carry it'],
    ['f3a9 c41e 0b7d 5e2a', /^SYNC_TOKEN holds a space, a control character or a character outside ASCII/],
  ])('the sample app: %j', (token, message) => {
    expect(() => readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: token })).toThrow(message);
  });

  it.each([
    [`${TOKEN}\n`, 'SYNC_TOKEN ends with a line break (read from a file with its newline?): remove it, no Authorization header can carry it'],
    [`${TOKEN} `, 'SYNC_TOKEN starts or ends with a space: remove it, no Authorization header can carry it'],
  ])('the command line: %j is BAD_TOKEN, saying where', async (token, message) => {
    const result = await cliWithToken(token);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'BAD_TOKEN', message } });
    expect(result.stderr).toBe(`express-sqlite-sync: ${message}\n`);
  });
});
