import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../../sample-app/config';
import { runSampleApp } from '../../helpers/k3-sample-app-process';
import { tempDir } from '../../helpers/temp';

const TOKEN = 'test-token-0123456789abcdef';

/** The refusal every SYNC_ variable wrapped in quotes gets (h5-env-quoted-values). */
const refusal = 'SYNC_TOKEN is wrapped in quotes, which the tool that read the env file kept (docker --env-file does): write SYNC_TOKEN=value, not SYNC_TOKEN="value"';

/**
 * `SYNC_TOKEN="…"` in an env file read by a tool that keeps quotes (`docker run --env-file`,
 * some .env loaders, a systemd `Environment=` line written with quotes inside) gave a token
 * with the quote characters in it: the app started (only a token.quoted warning in the log),
 * and every peer given the token without them saw 401, with nothing telling why. Every other
 * SYNC_ variable wrapped in quotes stopped the start; the token now does too, with the same line.
 */
describe('sample app: SYNC_TOKEN wrapped in quotes stops the start', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-k5-token-');
  });
  afterEach(() => temp.cleanup());

  it.each([`"${TOKEN}"`, `'${TOKEN}'`, `"${TOKEN}"\n`, ` '${TOKEN}'\r\n`, '""', `"a"`])('SYNC_TOKEN=%j is refused in one line naming it, nothing written', (value) => {
    const dataDir = path.join(temp.dir, 'data');
    expect(() => readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: value })).toThrow(refusal);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('the message never repeats the token', () => {
    let message = '';
    try {
      readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: `"${TOKEN}"` });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(refusal);
    expect(message).not.toContain(TOKEN);
  });

  it.each([`ab"${TOKEN}`, `"${TOKEN}`, `${TOKEN}'`, `"${TOKEN}'`, `\`${TOKEN}\``])('takes a quote that does not wrap the token (%j) as part of it', (value) => {
    expect(readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: value }).token).toBe(value);
  });

  it.each([`"${TOKEN}"\n`, `'${TOKEN}'`])('DATA_DIR/.sync-token holding %j (quotes kept) is refused the same way, naming the file, never overwritten', (content) => {
    const dataDir = path.join(temp.dir, 'data');
    mkdirSync(dataDir);
    const file = path.join(dataDir, '.sync-token');
    writeFileSync(file, content);
    expect(() => readSampleConfig({ DATA_DIR: dataDir })).toThrow(`DATA_DIR/.sync-token (${file}) holds the token wrapped in quotes: the file holds only the token; remove the quotes, or set SYNC_TOKEN instead`);
    expect(readFileSync(file, 'utf8')).toBe(content);
    writeFileSync(file, `ab"${TOKEN}\n`);
    expect(readSampleConfig({ DATA_DIR: dataDir }).token).toBe(`ab"${TOKEN}`);
  });

  it('npm start exits 1 with the refusal on stderr, and writes no token file', async () => {
    const dataDir = path.join(temp.dir, 'data');
    const result = await runSampleApp({ DATA_DIR: dataDir, SYNC_TOKEN: `"${TOKEN}"` }, 50_000);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `sample app failed to start: ${refusal}\n` });
    expect(existsSync(path.join(dataDir, '.sync-token'))).toBe(false);
  });
});
