import net from 'node:net';
import path from 'node:path';
import { cli } from '../helpers/snapshot';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/** A port on 127.0.0.1 nothing listens on (taken, then given back). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The CLI's hints to `join` name its flag, `--from`: they said "is --url
 * (--from for join) its address?", so a user of `join` read first about a
 * flag it does not have. The other commands keep their words.
 */
describe('the hints of join name its own flag', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-h7-join-flag-');
  });
  afterEach(() => temp.cleanup());

  it('join, unreachable: "--from", never "--url"; status still names --url', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/api/sync`;
    const joined = await cli('join', '--from', url, '--db', path.join(temp.dir, 'app.db'), '--token', TEST_TOKEN);
    expect(joined.code).toBe(1);
    expect(joined.stderr).toMatch(/is --from its address\?/);
    expect(joined.stderr).not.toMatch(/--url/);
    const status = await cli('status', '--url', url, '--token', TEST_TOKEN);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/is --url .*its address\?/);
  });
});
