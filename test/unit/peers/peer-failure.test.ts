import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describeFailure } from '../../../lib/peers/peer-failure';
import { peerStateOf } from '../../../lib/peers/failure-codes';
import { tempDir } from '../../helpers/temp';
import { SyncError } from '../../../lib/sync-error';

const context = { peer: 'http://10.0.0.3:5000/api/sync', phase: 'push' as const, clockSkewMs: 120 };

function errno(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('describing a failed sync for an operator', () => {
  it.each([
    ['an untrusted certificate names peerCa and SYNC_PEER_CA', errno('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), /not trusted.*`peerCa` \(SYNC_PEER_CA=<file>/],
    ['a refused token says the tokens differ', new SyncError('UNAUTHORIZED', 401, 'GET data/info: the sync token is wrong'), /refused this server's token: give both servers the same token/],
    ['a refused connection says unreachable and retried', errno('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.3:5000'), /is unreachable .*retried with backoff/],
    ["PeerHttp's own timeout is unreachable too", new Error('GET /api/sync/data/info: no answer for 30000 ms'), /is unreachable/],
  ])('%s', (_label, error, message) => {
    expect(describeFailure(error, context).message).toMatch(message);
  });

  it.each([
    'GET /api/sync/data/info: no answer for 30000 ms',
    'GET /api/sync/files/download: no data for 30000 ms',
    'GET /api/sync/files/download: too little data for 30000 ms (20 bytes, under 1024: a link that drips)',
  ])("PeerHttp's own timeout %s is PEER_TIMEOUT", (message) => {
    expect(describeFailure(new Error(message), context).code).toBe('PEER_TIMEOUT');
  });

  it('a clock refusal while the clocks agree names stored stamps, on the right side', () => {
    const refusal = new SyncError('CLOCK_SKEW', 422, 'teams: a clock 3600 s ahead');
    expect(describeFailure(refusal, context).message).toMatch(/stored ones: this server's database holds changes .* raise maxClockSkewMs on the peer/);
    expect(describeFailure(refusal, { ...context, phase: 'pull' }).message).toMatch(/stored ones: the peer's database holds changes .* raise maxClockSkewMs on this server \(SYNC_MAX_CLOCK_SKEW_MS in the sample app\); writes made meanwhile .* wait as long\.$/);
    // A live clock that is off: the handshake says which of the two is ahead, so the hint names the right machine.
    expect(describeFailure(refusal, { ...context, clockSkewMs: 3_600_000 }).message).toBe(
      "teams: a clock 3600 s ahead. The handshake measured http://10.0.0.3:5000/api/sync's clock 3600 s ahead of this server's: fix whichever of the two is wrong (NTP) on that machine.",
    );
    expect(describeFailure(refusal, { ...context, clockSkewMs: -3_600_000 }).message).toMatch(/clock 3600 s behind this server's/);
    expect(describeFailure(refusal, { ...context, clockSkewMs: undefined }).message).toBe('teams: a clock 3600 s ahead');
  });

  it.each([
    [true, undefined, undefined, 'syncing'],
    [false, undefined, undefined, 'never-synced'],
    [false, 1, undefined, 'ok'],
    [false, 1, 'UNAUTHORIZED', 'wrong-token'],
    [false, undefined, 'ETIMEDOUT', 'unreachable'],
    [false, 1, 'SCHEMA_MISMATCH', 'failing'],
  ] as const)('running %s, last success %s, failure %s: %s', (running, lastSuccessAt, code, state) => {
    expect(peerStateOf(running, lastSuccessAt, code)).toBe(state);
  });

  it('a certificate for another host names the hosts it holds, not peerCa (the CA is trusted already)', async () => {
    const temp = tempDir();
    const cert = path.join(temp.dir, 'cert.pem');
    const key = path.join(temp.dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=scouting.example.org', '-addext', 'subjectAltName=DNS:scouting.example.org', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const server = https.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const error = await new Promise<unknown>((resolve) => {
        https.get(`https://127.0.0.1:${port}/`, { ca: readFileSync(cert), agent: false }, () => resolve(undefined)).on('error', resolve);
      });
      const described = describeFailure(error, { ...context, peer: `https://127.0.0.1:${port}/api/sync` });
      expect(described.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      expect(described.message).toMatch(/does not name this host .*reach the peer by a name its certificate holds \(the names are scouting\.example\.org\) or use a certificate that names this address/);
      expect(described.message).not.toMatch(/peerCa|SYNC_PEER_CA/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      temp.cleanup();
    }
  });
});

describe('a folder of this server missing while files sync', () => {
  it('names the fix as one shell word, quoted when the folder has spaces', () => {
    const error = Object.assign(errno('ENOENT', "ENOENT: no such file or directory, scandir '/srv/pit photos'"), { path: '/srv/pit photos' });
    expect(describeFailure(error, { ...context, phase: 'files' }).message).toBe(
      "/srv/pit photos does not exist on this server; if it is a sync root's folder, create it (mkdir -p '/srv/pit photos')",
    );
  });
});
