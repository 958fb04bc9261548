import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { readSampleConfig, SAMPLE_ROOTS } from '../../../sample-app/config';
import { startBanner } from '../../../sample-app/server';
import { tempDir } from '../../helpers/temp';

describe('sample app configuration', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  it('SYNC_PEERS naming one peer twice (with and without its /api/sync) lists it once, in the banner too (it was listed twice)', () => {
    const config = readSampleConfig({ DATA_DIR: temp.dir, SYNC_TOKEN: 'test-token-0123456789abcdef', SYNC_PEERS: 'http://10.0.0.2:5000, http://10.0.0.2:5000/api/sync/,http://10.0.0.3:5000' });
    expect(config.peers).toEqual(['http://10.0.0.2:5000/api/sync', 'http://10.0.0.3:5000/api/sync']);
    expect(startBanner(config, 'http://localhost:5000')).toContain('Peers:      http://10.0.0.2:5000/api/sync, http://10.0.0.3:5000/api/sync every 30000 ms');
  });

  it('defaults to port 5000 and creates the five sync roots', () => {
    const config = readSampleConfig({ DATA_DIR: temp.dir });
    expect(config.port).toBe(5000);
    expect(config.tls).toBeUndefined();
    for (const root of SAMPLE_ROOTS) expect(existsSync(path.join(temp.dir, root))).toBe(true);
  });

  it.each(['', '  '])('treats DATA_DIR=%j as unset: ./data, not the working directory', (value) => {
    const cwd = process.cwd();
    process.chdir(temp.dir);
    try {
      const config = readSampleConfig({ DATA_DIR: value });
      expect(config.dataDir).toBe(path.join(process.cwd(), 'data'));
      expect(existsSync(path.join(temp.dir, 'data', '.sync-token'))).toBe(true);
      expect(existsSync(path.join(temp.dir, '.sync-token'))).toBe(false);
    } finally {
      process.chdir(cwd);
    }
  });

  it('generates a token once, keeps it outside the sync roots, and reuses it', () => {
    const first = readSampleConfig({ DATA_DIR: temp.dir });
    expect(first.tokenGenerated).toBe(true);
    expect(first.token).toMatch(/^[0-9a-f]{48}$/);
    expect(readFileSync(path.join(temp.dir, '.sync-token'), 'utf8').trim()).toBe(first.token);
    const second = readSampleConfig({ DATA_DIR: temp.dir });
    expect(second).toMatchObject({ token: first.token, tokenGenerated: false });
  });

  it('prefers SYNC_TOKEN and PORT from the environment', () => {
    expect(readSampleConfig({ DATA_DIR: temp.dir, SYNC_TOKEN: 'from-the-environment-123', PORT: '8080' })).toMatchObject({
      token: 'from-the-environment-123',
      tokenGenerated: false,
      port: 8080,
    });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ PORT: '0x1F90' }, /PORT must be 0-65535/],
    [{ PORT: '8e3' }, /PORT must be 0-65535/],
    [{ SYNC_INTERVAL_MS: '1e4' }, /SYNC_INTERVAL_MS/],
    [{ SYNC_INTERVAL_MS: '3000000000' }, /SYNC_INTERVAL_MS is in milliseconds: .* at most 2147483647/],
    [{ SYNC_INTERVAL_MS: '2147483648' }, /SYNC_INTERVAL_MS is in milliseconds: .* at most 2147483647/],
    [{ SYNC_INTERVAL_MS: '500' }, /SYNC_INTERVAL_MS is in milliseconds: an integer of at least 1000 .* got "500"/],
    [{ SYNC_INTERVAL_MS: '30' }, /SYNC_INTERVAL_MS is in milliseconds: an integer of at least 1000 .*write 30000 for 30 s/],
    [{ SYNC_MAX_CLOCK_SKEW_MS: '-1' }, /SYNC_MAX_CLOCK_SKEW_MS is in milliseconds: an integer of 0 to/],
    [{ SYNC_MAX_CLOCK_SKEW_MS: '1h' }, /SYNC_MAX_CLOCK_SKEW_MS is in milliseconds: .*write 3600000 for an hour/],
    [{ SYNC_MAX_CLOCK_SKEW_MS: '4000000000000' }, /SYNC_MAX_CLOCK_SKEW_MS .* \(100 years\)/],
    [{ SYNC_MAX_CLOCK_SKEW: '3600000' }, /SYNC_MAX_CLOCK_SKEW is not a variable of the sample app: did you mean SYNC_MAX_CLOCK_SKEW_MS/],
    [{ TLS_CERT: 'cert.pem' }, /TLS_CERT and TLS_KEY/],
    [{ TLS_KEY: 'key.pem' }, /TLS_CERT and TLS_KEY/],
  ])('refuses %j', (env, message) => {
    expect(() => readSampleConfig({ DATA_DIR: temp.dir, ...env })).toThrow(message);
  });

  it.each([
    [{ SYNC_TOKEN: 'has space in the token here' }, /SYNC_TOKEN holds a space/],
    [{ SYNC_TOKEN: 'the-shared-token-\u20ac-1234' }, /SYNC_TOKEN holds .* outside ASCII/],
    [{ PORT: 'abc' }, /PORT/],
    [{ LOG_LEVEL: 'in fo' }, /LOG_LEVEL must be one of/], // ' info' is trimmed, as every variable but SYNC_TOKEN
    [{ SYNC_NAME: 'x'.repeat(101) }, /SYNC_NAME must be 1-100 characters/],
    [{ SYNC_NAME: 'pit\u001b[2J' }, /SYNC_NAME must be 1-100 characters without control characters/],
    [{ SYNC_NATS_URL: 'nats://127.0.0.1:4222', SYNC_NATS_STREAM: 'a.b' }, /SYNC_NATS_STREAM \(`transport.nats.stream`\) must be 1-64 letters/],
    [{ SYNC_NATS_URL: 'ftp://x' }, /SYNC_NATS_URL .*: use nats:\/\/ or tls:\/\//],
    [{ SYNC_NATS_URL: 'nats://u:p%zz@127.0.0.1:4222' }, /SYNC_NATS_URL .*%25/],
    [{ TLS_CERT: '/nonexistent/cert.pem', TLS_KEY: '/nonexistent/key.pem' }, /TLS_CERT: cannot read \/nonexistent\/cert.pem/],
    // SYNC_PEER_CA is read for https:// peers only (with none it is unused: ap4-sample-app-broken-ca-http-peers).
    [{ SYNC_PEERS: 'https://10.0.0.2:5000', SYNC_PEER_CA: '/nonexistent/ca.pem' }, /SYNC_PEER_CA: cannot read/],
    [{ SYNC_PEERS: 'https://10.0.0.2:5000', SYNC_PEER_CA: __filename }, /SYNC_PEER_CA: .* holds no PEM certificate/],
  ])('refuses %j before writing anything: no data folder, no token file', (env, message) => {
    const dataDir = path.join(temp.dir, 'new');
    expect(() => readSampleConfig({ DATA_DIR: dataDir, ...env })).toThrow(message);
    expect(existsSync(dataDir)).toBe(false);
  });

  it.each(['SYNC_PEER_CA', 'TLS_CERT', 'TLS_KEY'])('refuses %s naming a folder, naming the variable and the path, before writing anything', (variable) => {
    const dataDir = path.join(temp.dir, 'new');
    const folder = path.join(temp.dir, 'a-folder');
    mkdirSync(folder);
    const env = variable === 'SYNC_PEER_CA' ? { SYNC_PEERS: 'https://10.0.0.2:5000', SYNC_PEER_CA: folder } : { TLS_CERT: __filename, TLS_KEY: __filename, [variable]: folder };
    expect(() => readSampleConfig({ DATA_DIR: dataDir, ...env })).toThrow(`${variable}: cannot read ${folder} (it is a folder, not a file)`);
    expect(existsSync(dataDir)).toBe(false);
  });

  describe('TLS_CERT and TLS_KEY that HTTPS cannot load', () => {
    /** A self-signed certificate and its key, in `dir`. */
    function pair(dir: string): { cert: string; key: string } {
      mkdirSync(dir);
      const cert = path.join(dir, 'cert.pem');
      const key = path.join(dir, 'key.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
      return { cert, key };
    }

    it('are refused before anything is written, naming the variable and the fix', () => {
      const one = pair(path.join(temp.dir, 'one'));
      const two = pair(path.join(temp.dir, 'two'));
      const notes = path.join(temp.dir, 'notes.txt');
      writeFileSync(notes, 'hello');
      const dataDir = path.join(temp.dir, 'new');
      const refused: Array<[Record<string, string>, RegExp]> = [
        [{ TLS_CERT: one.key, TLS_KEY: one.cert }, /TLS_CERT holds a private key and TLS_KEY a certificate: swap them/],
        [{ TLS_CERT: notes, TLS_KEY: one.key }, /TLS_CERT holds no PEM certificate/],
        [{ TLS_CERT: one.cert, TLS_KEY: notes }, /TLS_KEY holds no PEM private key/],
        [{ TLS_CERT: one.cert, TLS_KEY: two.key }, /TLS_CERT and TLS_KEY cannot serve HTTPS \(.*\); TLS_KEY must be TLS_CERT's key/],
      ];
      for (const [env, message] of refused) expect(() => readSampleConfig({ DATA_DIR: dataDir, ...env })).toThrow(message);
      expect(existsSync(dataDir)).toBe(false);
      expect(readSampleConfig({ DATA_DIR: dataDir, TLS_CERT: one.cert, TLS_KEY: one.key }).tls).toEqual({ cert: one.cert, key: one.key });
    });
  });

  it('names the token file when it is a folder', () => {
    mkdirSync(path.join(temp.dir, '.sync-token'));
    expect(() => readSampleConfig({ DATA_DIR: temp.dir })).toThrow(`DATA_DIR/.sync-token: cannot read ${path.join(temp.dir, '.sync-token')} (it is a folder`);
  });

  it.each(['', '\n', '  \n'])('says the token file is empty (%j), not that it "holds a space"', (content) => {
    readSampleConfig({ DATA_DIR: temp.dir });
    writeFileSync(path.join(temp.dir, '.sync-token'), content);
    expect(() => readSampleConfig({ DATA_DIR: temp.dir })).toThrow(`DATA_DIR/.sync-token (${path.join(temp.dir, '.sync-token')}) is empty: put the token the other servers use in it, or set SYNC_TOKEN, or delete the file for a new token`);
    expect(readFileSync(path.join(temp.dir, '.sync-token'), 'utf8')).toBe(content); // never overwritten
  });

  it.each(['~/data', '~', '~scout/data'])('refuses DATA_DIR=%j, which no shell expanded, before making a folder named "~"', (value) => {
    const cwd = process.cwd();
    process.chdir(temp.dir);
    try {
      expect(() => readSampleConfig({ DATA_DIR: value, SYNC_TOKEN: 'test-token-0123456789abcdef' })).toThrow(/^DATA_DIR=".*": "~" means the home folder only to a shell, and none read this value \(a \.env file, a service unit\): write the full path \(/);
      expect(readdirSync(temp.dir)).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
  });

  it('TLS_CERT starting with "~" that is not found says why', () => {
    expect(() => readSampleConfig({ DATA_DIR: path.join(temp.dir, 'new'), TLS_CERT: '~/cert.pem', TLS_KEY: '~/key.pem' })).toThrow(/^TLS_CERT: cannot read ~\/cert\.pem \(ENOENT: "~" means the home folder only to a shell/);
  });

  it('DATA_DIR naming an SQLite database file says it is one and what DATA_DIR is; an ordinary file is "a file"', () => {
    const dbFile = path.join(temp.dir, 'app.db');
    const db = new Database(dbFile);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(() => readSampleConfig({ DATA_DIR: dbFile, SYNC_TOKEN: 'test-token-0123456789abcdef' })).toThrow(
      `DATA_DIR=${dbFile} is an SQLite database file; DATA_DIR is the folder the app keeps its data in (its database is DATA_DIR/instance/app.db): point it at a folder`,
    );
    const plain = path.join(temp.dir, 'notes.txt');
    writeFileSync(plain, 'notes');
    expect(() => readSampleConfig({ DATA_DIR: plain, SYNC_TOKEN: 'test-token-0123456789abcdef' })).toThrow(`DATA_DIR=${plain}: it, or a folder the app keeps in it`);
    expect(readdirSync(temp.dir).sort()).toEqual(['app.db', 'notes.txt']);
  });

  it.each([['relative', 'rel/data'], ['a trailing slash', 'rel/data/'], ['a folder named like a database', 'x.db']])('takes DATA_DIR as %s: the folder under the working directory, with its roots', (_what, value) => {
    const cwd = process.cwd();
    process.chdir(temp.dir);
    try {
      const config = readSampleConfig({ DATA_DIR: value, SYNC_TOKEN: 'test-token-0123456789abcdef' });
      expect(config.dataDir).toBe(path.join(process.cwd(), value.replace(/\/$/, '')));
      for (const root of SAMPLE_ROOTS) expect(existsSync(path.join(config.dataDir, root))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it('names the token file when the token in it cannot be used', () => {
    readSampleConfig({ DATA_DIR: temp.dir });
    writeFileSync(path.join(temp.dir, '.sync-token'), 'too short\n');
    expect(() => readSampleConfig({ DATA_DIR: temp.dir })).toThrow(/\.sync-token (has|holds)/);
  });

  it('accepts SYNC_INTERVAL_MS from 1000 (the library\'s floor, so the banner says the interval used) to 2147483647', () => {
    expect(readSampleConfig({ DATA_DIR: temp.dir, SYNC_INTERVAL_MS: '1000' }).syncIntervalMs).toBe(1000);
    expect(readSampleConfig({ DATA_DIR: temp.dir, SYNC_INTERVAL_MS: '2147483647' }).syncIntervalMs).toBe(2_147_483_647);
  });

  // Helper r3's find: CLOCK_SKEW told the operator to raise maxClockSkewMs, which the sample app had no way to set.
  it('reads SYNC_MAX_CLOCK_SKEW_MS, the library\'s default when unset or blank', () => {
    expect(readSampleConfig({ DATA_DIR: temp.dir, SYNC_MAX_CLOCK_SKEW_MS: ' 3600000 ' }).maxClockSkewMs).toBe(3_600_000);
    expect(readSampleConfig({ DATA_DIR: temp.dir, SYNC_MAX_CLOCK_SKEW_MS: '0' }).maxClockSkewMs).toBe(0);
    expect(readSampleConfig({ DATA_DIR: temp.dir, SYNC_MAX_CLOCK_SKEW_MS: '' }).maxClockSkewMs).toBeUndefined();
    expect(readSampleConfig({ DATA_DIR: temp.dir }).maxClockSkewMs).toBeUndefined();
  });

  it('reads SYNC_NAME and LOG_LEVEL', () => {
    expect(readSampleConfig({ DATA_DIR: temp.dir, LOG_LEVEL: 'WARN' })).toMatchObject({ logLevel: 'warn' }); // any case, as the library reads it
    expect(readSampleConfig({ DATA_DIR: temp.dir, SYNC_NAME: '  pit laptop ', LOG_LEVEL: 'warn' })).toMatchObject({ name: 'pit laptop', logLevel: 'warn' });
    expect(readSampleConfig({ DATA_DIR: temp.dir })).toMatchObject({ name: undefined, logLevel: 'info' });
    expect(() => readSampleConfig({ DATA_DIR: temp.dir, LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent/);
  });

  it('the start banner masks a token from SYNC_TOKEN or the token file, and shows a newly generated one in full', () => {
    const url = 'http://localhost:5000';
    const fromEnv = readSampleConfig({ DATA_DIR: temp.dir, SYNC_TOKEN: 'from-the-environment-0123456789' });
    expect(startBanner(fromEnv, url)).toContain('Sync token: from…6789 (from SYNC_TOKEN)');
    expect(startBanner(fromEnv, url)).not.toContain('from-the-environment-0123456789');
    const generated = readSampleConfig({ DATA_DIR: temp.dir });
    expect(startBanner(generated, url)).toContain(`Sync token: ${generated.token} (generated, saved in DATA_DIR/.sync-token`);
    const fromFile = readSampleConfig({ DATA_DIR: temp.dir });
    expect(startBanner(fromFile, url)).toMatch(/Sync token: [0-9a-f]{4}…[0-9a-f]{4} \(in DATA_DIR\/\.sync-token\)/);
    expect(startBanner(fromFile, url)).not.toContain(generated.token);
  });

  it('leaves blank SYNC_NATS_URL entries out, as SYNC_PEERS does (a trailing comma was refused after the token was written, naming transport.nats.servers)', () => {
    expect(readSampleConfig({ DATA_DIR: temp.dir, SYNC_NATS_URL: 'nats://127.0.0.1:4222,' }).nats).toMatchObject({ servers: 'nats://127.0.0.1:4222' });
    expect(() => readSampleConfig({ DATA_DIR: temp.dir, SYNC_NATS_URL: ' , ' })).toThrow(/SYNC_NATS_URL .* holds no URL, only commas/);
  });

  it.each([
    ['natsuser:s3cretpass@127.0.0.1:4222', 'NATS:       127.0.0.1:4222,'],
    ['nats://natsuser:s3cretpass@127.0.0.1:4222', 'NATS:       nats://127.0.0.1:4222,'],
    ['tls://a:s3cretpass@h1:4222, natsuser:s3cretpass@h2:4222,h3:4222', 'NATS:       tls://h1:4222,h2:4222,h3:4222,'],
    ['nats://natsuser:s3cretpass@127.0.0.1:4222, ', 'NATS:       nats://127.0.0.1:4222,'],
  ])('the start banner shows SYNC_NATS_URL=%j without its user and password (blank entries left out)', (servers, line) => {
    const banner = startBanner(readSampleConfig({ DATA_DIR: temp.dir, SYNC_NATS_URL: servers }), 'http://localhost:5000');
    expect(banner).toContain(line);
    expect(banner).not.toContain('s3cretpass');
  });
});
