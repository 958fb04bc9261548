import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/temp';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** Runs the built command-line tool; never rejects. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, SYNC_TOKEN: '', SYNC_PEER_CA: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The error a `--json` run printed on stdout. */
function jsonError(stdout: string): unknown {
  return JSON.parse(stdout);
}

describe('express-sqlite-sync command line: every failure has a code, and --json prints it', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  it.each<[string, string[], string]>([
    ['a missing required option', ['status', '--json'], 'BAD_USAGE'],
    ['an unknown option', ['backup', '--db', 'a.db', '--out', 'b.db', '--bogus', '--json'], 'BAD_USAGE'],
    ['a bad --timeout', ['status', '--url', 'http://127.0.0.1:9', '--timeout', '0', '--json'], 'BAD_USAGE'],
    ['no token', ['status', '--url', 'http://127.0.0.1:9', '--json'], 'NO_TOKEN'],
    ['a token with a space', ['status', '--url', 'http://127.0.0.1:9', '--token', 'abcdefgh ijklmnopqrst', '--json'], 'BAD_TOKEN'],
    ['a token outside ASCII', ['join', '--from', 'http://127.0.0.1:9', '--db', 'x.db', '--token', 'the-shared-token-\u20ac-1234', '--json'], 'BAD_TOKEN'],
    ['a URL that is not http(s)', ['status', '--url', 'ftp://127.0.0.1/api/sync', '--token', 'x', '--json'], 'BAD_URL'],
    ['a --ca file that does not exist', ['status', '--url', 'https://127.0.0.1:9', '--token', 'x', '--ca', '/nonexistent/ca.pem', '--json'], 'BAD_CA'],
  ])('%s: exit 1, the code on stdout as JSON', async (_name, args, code) => {
    const result = await cli(...args);
    expect(result.code).toBe(1);
    expect(jsonError(result.stdout)).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('a --ca file without a PEM certificate is BAD_CA', async () => {
    const file = path.join(temp.dir, 'ca.pem');
    writeFileSync(file, 'not a certificate');
    const result = await cli('join', '--from', 'https://127.0.0.1:9', '--db', path.join(temp.dir, 'x.db'), '--token', 'x', '--ca', file, '--json');
    expect(jsonError(result.stdout)).toMatchObject({ error: { code: 'BAD_CA' } });
  });

  it('join --db naming a folder (a trailing slash) is TARGET_INVALID before anything is downloaded', async () => {
    const result = await cli('join', '--from', 'http://127.0.0.1:9/api/sync', '--db', `${temp.dir}/nd5/`, '--token', 'x', '--json');
    expect(jsonError(result.stdout)).toMatchObject({ error: { code: 'TARGET_INVALID' } });
  });

  it('a join that fails leaves no folder it made behind', async () => {
    const target = path.join(temp.dir, 'new', 'instance', 'app.db');
    const result = await cli('join', '--from', 'http://127.0.0.1:9/api/sync', '--db', target, '--token', 'x', '--timeout', '2000', '--json');
    expect(result.code).toBe(1);
    expect(jsonError(result.stdout)).toMatchObject({ error: { code: 'ECONNREFUSED' } });
    expect(existsSync(path.join(temp.dir, 'new'))).toBe(false);
  });

  it('a token with a space is refused before any request, saying so (not "missing Authorization header")', async () => {
    const result = await cli('status', '--url', 'http://127.0.0.1:9', '--token', 'abcdefgh ijklmnopqrst', '--json');
    expect(jsonError(result.stdout)).toEqual({ error: { code: 'BAD_TOKEN', message: expect.stringMatching(/^--token holds a space/) } });
  });

  it('a certificate for another host (ERR_TLS_CERT_ALTNAME_INVALID) names the hosts it holds, not --ca (given already)', async () => {
    const cert = path.join(temp.dir, 'cert.pem');
    const key = path.join(temp.dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=scouting.example.org', '-addext', 'subjectAltName=DNS:scouting.example.org', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const server = https.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const result = await cli('status', '--url', `https://127.0.0.1:${(server.address() as AddressInfo).port}`, '--token', 'x', '--ca', cert, '--json');
      const { error } = jsonError(result.stdout) as { error: { code: string; message: string } };
      expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      expect(error.message).toMatch(/reach the server by a name its certificate holds \(the names are scouting\.example\.org\) or use a certificate that names this address, in --url/);
      expect(error.message).not.toMatch(/--ca|SYNC_PEER_CA/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a --url with a wrong path (404) asks whether it is the server\'s sync API', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no API route GET /status' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const result = await cli('status', '--url', `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, '--token', 'x', '--json');
      expect(jsonError(result.stdout)).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringMatching(/no API route GET \/status\. Is --url .* the server's sync API\? Its URL is usually http:\/\/host:port\/api\/sync/) } });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a server that is down: ECONNREFUSED asks whether the server runs at that address', async () => {
    const result = await cli('status', '--url', 'http://127.0.0.1:9', '--token', 'x', '--json');
    expect(result.code).toBe(1);
    expect(jsonError(result.stdout)).toEqual({ error: { code: 'ECONNREFUSED', message: expect.stringMatching(/ECONNREFUSED .*: is the server running, and is --url .* its address\?$/) } });
  });
});

describe('express-sqlite-sync sync: the server\'s progress stream is checked', () => {
  let server: http.Server;
  let url: string;
  let body = '';
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sync`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const progress = JSON.stringify({ type: 'progress', progress: { peer: 'http://b', phase: 'pull', done: 1 } });
  it.each<[string, string]>([
    ['ends without its results line', `${progress}\n`],
    ['has results that are not a list', `${JSON.stringify({ type: 'results', results: 'nope' })}\n`],
    ['has a result without its counts', `${JSON.stringify({ type: 'results', results: [{ peer: 'http://b', ok: false }] })}\n`],
    ['is an HTML page', '<html><body>proxy error</body></html>\n'],
    ['has a null line', 'null\n'],
  ])('a stream that %s is PEER_BAD_ANSWER (exit 1), never a JavaScript error', async (_name, text) => {
    body = text;
    const result = await cli('sync', '--url', url, '--token', 'x', '--json');
    expect(result.code).toBe(1);
    expect(jsonError(result.stdout)).toEqual({ error: { code: 'PEER_BAD_ANSWER', message: expect.any(String) } });
    expect(result.stderr).not.toMatch(/ at .*\.js:\d+/);
  });

  it('prints the results of a well-formed stream', async () => {
    const result = { peer: 'http://b', ok: true, rowsPulled: 3, rowsPushed: 0, filesUp: 0, filesDown: 0, filesDeleted: 0, dataConflicts: 0, fileConflicts: [], durationMs: 12 };
    body = `${progress}\n${JSON.stringify({ type: 'results', results: [result] })}\n`;
    const printed = await cli('sync', '--url', url, '--token', 'x');
    expect(printed).toMatchObject({ code: 0, stdout: expect.stringContaining('✔ http://b   rows ↓3 ↑0') });
  });
});
