import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp';
import { APP_PROCESS_TIMEOUT_MS } from '../helpers/k2-app-process';

const REPO = path.resolve(__dirname, '..', '..');

/** One curl of the README's quick start, with the answer the README prints under it. */
interface Example {
  readonly method: string;
  readonly url: string;
  readonly file: string | undefined;
  readonly body: RegExp;
  readonly status: number;
}

/** The README's quick-start curls: `curl … URL` lines, each followed by `# <answer>   (<status>)`. */
function readmeExamples(): Example[] {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const block = /TOKEN=\$\(cat data\/\.sync-token\)\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const lines = block.split('\n');
  const examples: Example[] = [];
  lines.forEach((line, index) => {
    if (!line.startsWith('curl ')) return;
    const answer = (lines[index + 1] ?? '').replace(/^# /, '');
    const [json = '', note = ''] = answer.split(/ {3}/);
    const expected = json.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/…/g, '.*');
    examples.push({
      method: /-X (\w+)/.exec(line)?.[1] ?? 'GET',
      url: /'?(http:\/\/localhost:5000[^'\s]*)'?/.exec(line)?.[1] ?? '',
      file: /-F "file=@([^"]+)"/.exec(line)?.[1],
      body: new RegExp(`^${expected}$`),
      status: Number(/\((\d{3})\)/.exec(note)?.[1] ?? 200),
    });
  });
  return examples;
}

/** `npm start` with its own data folder on a free port, at once; `ready` resolves with its URL once the banner is out, and its output so far. */
function npmStart(dataDir: string): { child: ChildProcess; ready: Promise<{ url: string; stdout: string }> } {
  const child = spawn('npm', ['start'], { cwd: REPO, env: { ...process.env, DATA_DIR: dataDir, PORT: '0', SYNC_TOKEN: '', LOG_LEVEL: 'warn' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<{ url: string; stdout: string }>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /Sample app: (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url !== undefined && stdout.includes('Peers:')) resolve({ url, stdout });
    });
    child.once('close', (code) => reject(new Error(`npm start exited (${code}): ${stderr}`)));
  });
  return { child, ready };
}

/**
 * The README's quick start is a contract: on a fresh data folder, `npm start`
 * prints the generated token in full and keeps it in data/.sync-token, and
 * each curl answers what the README prints under it (the manifest without
 * app.db, -wal or -shm; the database refused for upload and download, 403).
 */
describe('README quick start: npm start, then its curls', () => {
  let temp: ReturnType<typeof tempDir>;
  let app: ChildProcess | undefined;
  beforeEach(() => {
    temp = tempDir('ess-h4-quick-start-');
  });
  afterEach(async () => {
    if (app?.pid !== undefined && app.exitCode === null && app.signalCode === null) {
      const closed = new Promise((resolve) => app?.once('close', resolve));
      process.kill(-app.pid, 'SIGTERM'); // npm, its shell and the app: one process group
      await closed;
    }
    app = undefined;
    temp.cleanup();
  });

  it('prints what the README says', async () => {
    const examples = readmeExamples();
    expect(examples.map((example) => `${example.method} ${example.status}`)).toEqual(['GET 200', 'POST 403', 'GET 403']);
    const dataDir = path.join(temp.dir, 'data');
    const starting = npmStart(dataDir);
    app = starting.child; // known to afterEach before it is up: a start that times out is stopped too
    const started = await starting.ready;
    const token = readFileSync(path.join(dataDir, '.sync-token'), 'utf8').trim();
    expect(started.stdout).toContain(`Sync token: ${token} (generated`);
    for (const example of examples) {
      const url = example.url.replace('http://localhost:5000', started.url);
      let body: FormData | undefined;
      if (example.file !== undefined) {
        body = new FormData();
        const bytes = readFileSync(path.join(dataDir, example.file.replace(/^data\//, '')));
        body.append('file', new Blob([new Uint8Array(bytes)]), path.basename(example.file));
      }
      const res = await fetch(url, { method: example.method, headers: { authorization: `Bearer ${token}` }, body });
      const text = await res.text();
      expect({ url: example.url, status: res.status, body: text }).toEqual({ url: example.url, status: example.status, body: expect.stringMatching(example.body) });
    }
    const manifest = await (await fetch(`${started.url}/api/sync/files/checksums?path=instance`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(manifest).not.toMatch(/app\.db/);
  }, APP_PROCESS_TIMEOUT_MS);
});
