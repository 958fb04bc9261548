import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp';

const REPO = path.resolve(__dirname, '..', '..');

/** Most a start may take here before it counts as blocked (it takes a few seconds on a busy machine). */
const START_LIMIT_MS = 90_000;

/** How a child run ended. */
interface ChildRun {
  readonly signal: NodeJS.Signals | null;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `script` (through ts-node, from this checkout) with `argument` in a child process: one that blocks is killed after {@link START_LIMIT_MS}, never the test's process. */
function runChild(script: string, argument: string): ChildRun {
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script, argument], { cwd: REPO, timeout: START_LIMIT_MS, encoding: 'utf8' });
  return { signal: run.signal, status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** What stands under a state file's name: a named pipe, or a link to `/dev/zero`. */
const NOT_FILES = [
  ['a named pipe', (file: string) => execFileSync('mkfifo', [file])],
  ['a link to /dev/zero', (file: string) => symlinkSync('/dev/zero', file)],
] as const;

/** Opens the database `file` and captures a table, as an app's start does, then serves a page. */
const CAPTURE_START = `
const Database = require('better-sqlite3');
const { enableCapture } = require('./lib/data/capture');
const db = new Database(process.argv[1]);
db.exec('CREATE TABLE IF NOT EXISTS notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
const tracker = enableCapture(db, { tables: ['notes'] });
db.prepare('INSERT INTO notes VALUES (?, ?)').run('n1', 'x');
tracker.readChanges(0, 10);
db.close();
process.stdout.write('started');
`;

/**
 * The served-mark file beside a database (`app.db-syncmark`) was read whole with readFileSync at every start:
 * a named pipe under that name blocked the start for good, without a word, and a link to `/dev/zero` was read
 * without end (to Node's 2 GiB limit). It is opened only when it is a regular file, without blocking, and at
 * most 4 KiB of it read: anything else is no mark (no evidence either way), and the next page served writes a
 * mark in its place.
 */
describe('a served-mark file that is no small regular file', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-aj5-mark-');
  });
  afterEach(() => temp.cleanup());

  it.each(NOT_FILES)('%s: the start goes on, and the next page served writes a mark in its place', (_label, make) => {
    const file = path.join(temp.dir, 'app.db');
    make(`${file}-syncmark`);
    expect(runChild(CAPTURE_START, file)).toEqual({ signal: null, status: 0, stdout: 'started', stderr: '' });
    expect(existsSync(`${file}-syncmark`) && lstatSync(`${file}-syncmark`).isFile()).toBe(true);
    expect(lstatSync(`${file}-syncmark`).size).toBeLessThan(200);
  }, START_LIMIT_MS * 2);
});

/** Reads the known peers of a state folder (`<stateDir>/peers.json`), as a server with peers does at its start, then records a sync that ended well. */
const CLIENT_START = `
const { KnownPeers } = require('./lib/peers/known-peers');
const known = new KnownPeers(process.argv[1]);
known.noteSuccess('http://127.0.0.1:1/api/sync', Date.now()).then(() => process.stdout.write('started'));
`;

/**
 * `<stateDir>/peers.json` (each peer's site id, name and last success, kept across restarts) was read with
 * readFileSync when the sync client was made: a named pipe under that name blocked a server with peers at its
 * start, without a word (the sample app with SYNC_PEERS printed nothing and never listened). It is opened
 * without blocking and only when it is a regular file: anything else is no record (learnt again at the next
 * handshake), and the next write puts a file in its place.
 */
describe('a peers.json in the state folder that is no regular file', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-aj5-peers-');
  });
  afterEach(() => temp.cleanup());

  it.each(NOT_FILES)('%s: the client starts, and its next write puts a file in its place', (_label, make) => {
    const file = path.join(temp.dir, 'peers.json');
    make(file);
    expect(runChild(CLIENT_START, temp.dir)).toEqual({ signal: null, status: 0, stdout: 'started', stderr: '' });
    expect(lstatSync(file).isFile()).toBe(true);
  }, START_LIMIT_MS * 2);
});

/** Loads the file-sync base kept with a peer (`<stateDir>/files-peer.json`) as a round does, settles a path and saves it; prints how many paths the base held. */
const FILE_ROUND = `
const path = require('node:path');
const { FileSyncState } = require('./lib/peers/file-sync-state');
const file = path.join(process.argv[1], 'files-peer.json');
FileSyncState.load(file).then(async (round) => {
  const held = round.base('uploads').size;
  round.settle('uploads', 'a.txt', 'a'.repeat(64));
  await round.save();
  process.stdout.write('saved, base held ' + held);
});
`;

/**
 * The file-sync base kept with a peer (`<stateDir>/files-<peer>.json`) was read with readFile at every round:
 * a named pipe under that name held the round for good (`/status` said the peer was "syncing", running, with no
 * result, round after round, its data included), and a link to `/dev/zero` was read to Node's 2 GiB limit. It is
 * opened without blocking and only when it is a regular file: anything else is no base (a first sync, which
 * deletes nothing), and the round's save puts a file in its place.
 */
describe('a file-sync base in the state folder that is no regular file', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-aj5-base-');
  });
  afterEach(() => temp.cleanup());

  it.each(NOT_FILES)('%s: the round loads no base and saves one in its place', (_label, make) => {
    const file = path.join(temp.dir, 'files-peer.json');
    make(file);
    expect(runChild(FILE_ROUND, temp.dir)).toEqual({ signal: null, status: 0, stdout: 'saved, base held 0', stderr: '' });
    expect(lstatSync(file).isFile()).toBe(true);
  }, START_LIMIT_MS * 2);
});
