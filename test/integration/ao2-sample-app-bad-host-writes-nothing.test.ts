import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { readSampleSettings } from '../../sample-app/config';
import { APP_PROCESS_KILL_MS, APP_PROCESS_TIMEOUT_MS, killAppProcesses } from '../helpers/k2-app-process';
import { runSampleApp } from '../helpers/k3-sample-app-process';
import { tempDir } from '../helpers/temp';

/** An address of TEST-NET-1 (RFC 5737): never one of this machine's. */
const NOT_HERE = '192.0.2.7';

describe('a HOST or PORT the sample app cannot listen on stops the start before DATA_DIR or a token is made', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-bad-host-');
  });
  afterEach(async () => {
    await killAppProcesses();
    temp.cleanup();
  });

  it.each([
    ['not a host', /^HOST="not a host" is not an IP address nor a host name: give an address of this machine/m],
    ['http://10.0.0.2', /HOST="http:\/\/10\.0\.0\.2" is not an IP address nor a host name: HOST is an address, not a URL/],
    ['10.0.0.2:5000', /HOST="10\.0\.0\.2:5000" is not an IP address nor a host name: give the port in PORT/],
    ['[::1]', /HOST="\[::1\]" is not an IP address nor a host name: write an IPv6 address without the brackets/],
  ])('HOST=%j is refused as it is read, naming HOST and the fix', (host, message) => {
    expect(() => readSampleSettings({ HOST: host, DATA_DIR: path.join(temp.dir, 'data') })).toThrow(message);
  });

  it.each([['not a host'], [NOT_HERE]])(
    'npm start with HOST=%j: exit 1, a message naming HOST, and no data folder nor .sync-token made',
    async (host) => {
      const dataDir = path.join(temp.dir, 'data');
      const run = await runSampleApp({ HOST: host, DATA_DIR: dataDir }, APP_PROCESS_KILL_MS);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^sample app failed to start: HOST=${JSON.stringify(host).replace(/\./g, '\\.')}`));
      expect(run.stdout).toBe('');
      expect(existsSync(dataDir)).toBe(false);
    },
    APP_PROCESS_TIMEOUT_MS,
  );

  it(
    'npm start with a PORT in use: exit 1, a message naming PORT, and no data folder nor .sync-token made',
    async () => {
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const { port } = taken.address() as net.AddressInfo;
      try {
        const dataDir = path.join(temp.dir, 'data');
        const run = await runSampleApp({ PORT: String(port), DATA_DIR: dataDir }, APP_PROCESS_KILL_MS);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`PORT=${port}: the port is in use`);
        expect(run.stdout).toBe('');
        expect(existsSync(dataDir)).toBe(false);
      } finally {
        await new Promise<void>((resolve) => taken.close(() => resolve()));
      }
    },
    APP_PROCESS_TIMEOUT_MS,
  );
});
