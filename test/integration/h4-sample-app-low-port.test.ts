import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CAN_RUN_UNPRIVILEGED, runAppUnprivileged } from '../helpers/h4-unprivileged-app';
import { tempDir } from '../helpers/temp';
import { APP_PROCESS_TIMEOUT_MS } from '../helpers/k2-app-process';

/** The first port a user without rights may bind (Linux; 1024 elsewhere). */
function firstUnprivilegedPort(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
  } catch {
    return 1024;
  }
}
const LOW_PORT = firstUnprivilegedPort() - 1;

/**
 * The README's cloud server runs `PORT=443 … npm start`. As a user without the
 * right to bind ports below 1024 the start said only "listen EACCES:
 * permission denied 0.0.0.0:443"; now it names PORT and the ways out, as a
 * port in use does.
 */
(CAN_RUN_UNPRIVILEGED && LOW_PORT > 0 ? describe : describe.skip)('PORT below 1024 without the right to bind it', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-h4-low-port-');
    chmodSync(temp.dir, 0o777); // the app may make its data folder here, whoever it runs as
  });
  afterEach(() => temp.cleanup());

  it('stops the start with one line naming PORT and the fix', async () => {
    const dataDir = path.join(temp.dir, 'data');
    const result = await runAppUnprivileged({ DATA_DIR: dataDir, SYNC_TOKEN: 'test-token-0123456789abcdef', HOST: '', PORT: String(LOW_PORT) });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `sample app failed to start: PORT=${LOW_PORT}: this user may not listen on it (EACCES: ports below 1024 need extra rights); choose a PORT of 1024 or more (and forward ${LOW_PORT} to it), or let node bind low ports (sudo setcap cap_net_bind_service=+ep "$(command -v node)")\n`,
    });
  }, APP_PROCESS_TIMEOUT_MS);
});
