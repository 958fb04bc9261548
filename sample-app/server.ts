import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type Database from 'better-sqlite3';
import { answerClientErrorsAsJson, continueOnlyWhenRead, createDefaultLogger, DEFAULTS, splitUserinfo, type SyncLogger, type SyncNode } from '../index';
import { createSampleApp } from './app';
import { prepareSampleConfig, readSampleSettings, type SampleConfig } from './config';
import { checkListenAddress, listenOn } from './listen-address';
import { lockDataDir, refuseDataDirInUse } from './data-lock';
import { diskFailureAtStart } from './data-folders';
import { openSampleDatabase } from './database';
import { someHttpsPeer } from './named-files';
import { unreadLines, unreadMessage, unusedCaLine, unusedPeerCa } from './start-warnings';

/** A running sample app. */
export interface RunningSampleApp {
  readonly server: http.Server | https.Server;
  readonly db: Database.Database;
  /** The app's sync node (`sync.syncNow()`, `sync.client`). */
  readonly sync: SyncNode;
  /** The base URL, e.g. `http://localhost:5000`. */
  readonly url: string;
  /** Stops accepting connections, closes open ones and the database. */
  close(): Promise<void>;
}

/**
 * Starts the sample app for a configuration: HTTPS when TLS files are set,
 * plain HTTP otherwise; logs `app.listening` (`url`, `dataDir`, `serverName`).
 * Holds the data folder while it runs (`lockDataDir`).
 * @throws Error naming `DATA_DIR` when another running sample app uses it, when its disk has no room, or when SQLite cannot use its files there (`SQLITE_IOERR_…`)
 */
export async function startSampleApp(config: SampleConfig, logger: SyncLogger): Promise<RunningSampleApp> {
  try {
    const unlock = lockDataDir(config.dataDir); // its lock file is the first file written: a full disk fails here
    try {
      return await startLocked(config, logger, unlock);
    } catch (error) {
      unlock();
      throw error;
    }
  } catch (error) {
    throw diskFailureAtStart(error, config.dataDir) ?? error; // named with DATA_DIR, not "database or disk is full"
  }
}

async function startLocked(config: SampleConfig, logger: SyncLogger, unlock: () => void): Promise<RunningSampleApp> {
  const db = openSampleDatabase(config.dataDir);
  // Checked by readSampleConfig when a peer is https://; with none it is unused, not read (the start warns).
  const peerCa = config.peerCaFile === undefined || !someHttpsPeer(config.peers) ? undefined : readFileSync(config.peerCaFile);
  const transport = config.nats === undefined ? undefined : { nats: config.nats };
  const { app, sync } = createSampleApp({ dataDir: config.dataDir, db, token: config.token, logger, peers: config.peers, peerCa, name: config.name, transport, maxClockSkewMs: config.maxClockSkewMs });
  const server = config.tls
    ? https.createServer({ cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }, app)
    : http.createServer(app);
  answerClientErrorsAsJson(server); // 431 and friends in the same JSON shape as every other error
  continueOnlyWhenRead(server); // Expect: 100-continue: a refused upload (401, 403) is answered before its body is asked for
  await listenOn(server, config, logger).catch((error: unknown) => {
    db.close();
    throw error;
  });
  const { port, address } = server.address() as AddressInfo;
  const url = `${config.tls ? 'https' : 'http'}://${urlHost(config.host, address)}:${port}`;
  // `serverName`, not `name`: pino's own `name` (the logger's, "sample-app") is on every line.
  logger.info({ event: 'app.listening', url, dataDir: config.dataDir, serverName: config.name }, 'sample app listening');
  for (const { name, meant } of config.unreadVariables) logger.warn({ event: 'app.unread_variable', variable: name, meant }, unreadMessage(name, meant));
  const caUnused = unusedPeerCa(config);
  if (caUnused !== undefined) logger.warn({ event: 'app.peer_ca_unused', peers: config.peers.length }, caUnused);
  if (config.peers.length > 0 || config.nats !== undefined) sync.start(config.syncIntervalMs);
  return {
    server,
    db,
    sync,
    url,
    close: async () => {
      await sync.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      db.close();
      unlock();
    },
  };
}

/**
 * The host of the app's URL: `HOST` when it names one address, `localhost` for all interfaces
 * (judged by the address bound: `HOST=0` or `::0` bind all of them too, and `http://0:5000` is no URL to give a browser).
 */
function urlHost(host: string | undefined, bound: string): string {
  if (host === undefined || bound === '0.0.0.0' || bound === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * A token shown in a log or a banner: its first and last four characters only, and nothing of one
 * under {@link SHORT_TOKEN} characters (the banner says its length: 8 of 13 shown would leave 5 to guess).
 */
export function maskToken(token: string): string {
  return token.length < SHORT_TOKEN ? '…' : `${token.slice(0, 4)}…${token.slice(-4)}`;
}

/** NATS server URLs without a user and password, with or without a scheme (`nats://u:p@h:4222`, `u:p@h:4222`), whatever the password holds. */
function withoutUserinfo(servers: string): string {
  return servers
    .split(',')
    .map((entry) => splitUserinfo(entry).rest)
    .join(',');
}

/**
 * The lines printed at start: where the app and its status page are, its data
 * folder (said to be new when this start made it), its name, the peers and the token: in full only when this start generated it
 * (so the operator can give it to the other servers); otherwise masked, with
 * where it is (`SYNC_TOKEN`, or `DATA_DIR/.sync-token`).
 */
export function startBanner(config: SampleConfig, url: string): string {
  const token = config.tokenSource === 'generated' ? generatedToken(config.token) : `${maskToken(config.token)} (${config.tokenSource === 'env' ? 'from SYNC_TOKEN' : 'in DATA_DIR/.sync-token'})`;
  const peers = config.peers.length === 0 ? 'none (set SYNC_PEERS)' : `${config.peers.join(', ')} every ${config.syncIntervalMs} ms`;
  const name = config.name ?? "(none: set SYNC_NAME to name this server on its peers' status pages)";
  const nats = config.nats === undefined ? '' : `NATS:       ${withoutUserinfo(config.nats.servers)}, stream ${config.nats.stream ?? DEFAULTS.nats.stream} (data; files between peers)\n`;
  return `\nSample app: ${url}\nSync API:   ${url}/api/sync   status page: ${url}/api/sync/ui\nData:       ${config.dataDir}${config.dataDirNew ? NEW_DATA_DIR : ''}\nName:       ${name}\nSync token: ${token}\n${shortTokenLine(config)}${config.tokenFileDiffers ? UNUSED_TOKEN_FILE : ''}Peers:      ${peers}\n${nats}${unreadLines(config.unreadVariables)}${unusedCaLine(config)}\n`;
}

/** What the banner adds to a data folder this start made: a typo in DATA_DIR starts the app on an empty one. */
const NEW_DATA_DIR = ' (made by this start: a new, empty data folder; if you meant another one, check DATA_DIR)';

/** The library's shortest token without a `token.short` warning (its log line names it `token #0`, not where it came from). */
const SHORT_TOKEN = 16;

/** The banner's line for a token shorter than {@link SHORT_TOKEN}, naming where it is (never the token). */
function shortTokenLine(config: SampleConfig): string {
  if (config.token.length >= SHORT_TOKEN) return '';
  const which = config.tokenSource === 'env' ? `SYNC_TOKEN has ${config.token.length} characters` : `DATA_DIR/.sync-token holds a token of ${config.token.length} characters`;
  return `            ! ${which}: anyone who reaches this server could guess it; use at least ${SHORT_TOKEN}, the same on every server (for example \`openssl rand -hex 32\`)\n`;
}

/** The banner's line when `SYNC_TOKEN` hides another token kept in `DATA_DIR/.sync-token` (see `tokenFileDiffers`). */
const UNUSED_TOKEN_FILE =
  '            ! DATA_DIR/.sync-token holds another token: unused while SYNC_TOKEN is set, used by a start without it (its peers would then answer "wrong token"); put this token in it, or delete it\n';

/** A token this start generated, in full, with where it is kept. */
function generatedToken(token: string): string {
  return `${token} (generated, saved in DATA_DIR/.sync-token; give the other servers the same one)`;
}

/**
 * What a start that failed after generating the token prints (nothing for a
 * token from `SYNC_TOKEN` or the file): the token in full, as the banner would
 * have, since every later start shows it masked.
 */
export function failedStartToken(config: SampleConfig): string {
  return config.tokenSource === 'generated' ? `Sync token: ${generatedToken(config.token)}\n` : '';
}

/**
 * A reader of stdout gone (`npm start | head -1`, a `| less` quit, a `tee` that died) must not stop the
 * app: the broken pipe (`EPIPE`) came as an unheard `error` event on the banner's write and ended the
 * start with a stack trace. Later writes to stdout are dropped then, as the logger drops its lines.
 */
function keepRunningWithoutStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

async function main(): Promise<void> {
  keepRunningWithoutStdout();
  const settings = readSampleSettings();
  // `npm start` run twice on one DATA_DIR and PORT: the running app is the cause to name, not "the port is in use by another program".
  if (existsSync(settings.dataDir)) refuseDataDirInUse(settings.dataDir);
  await checkListenAddress(settings); // a HOST not of this machine, or a PORT in use, stops the start before DATA_DIR or a token is made
  const config = prepareSampleConfig(settings);
  process.env.LOG_LEVEL = config.logLevel; // as read, trimmed: the library's logger refuses "warn\n" from an env file
  const logger = createDefaultLogger('sample-app'); // at LOG_LEVEL, as config.logLevel read it; never blocks the exit on a broken stdout
  const running = await startSampleApp(config, logger).catch((error: unknown) => {
    process.stdout.write(failedStartToken(config)); // this start wrote the token: show it, though it did not get to the banner
    throw error;
  });
  process.stdout.write(startBanner(config, running.url));
  stopOnSignals(running, logger);
}

/** The longest a stop may take (the sync client abandons requests in flight; this bounds anything else). */
const STOP_WAIT_MS = 5000;

/**
 * SIGINT/SIGTERM stop the app: running syncs get the sync client's grace (2 s),
 * then are abandoned (it does not wait for a peer that is slow or gone), then it exits, in at most
 * {@link STOP_WAIT_MS}; a second signal exits at once. Leaving a sync half-way
 * is safe: each page is one transaction, files are renamed into place when
 * complete, and what a stopped run left is swept at the next start.
 */
function stopOnSignals(running: RunningSampleApp, logger: SyncLogger): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ event: 'app.stopped', signal, waited: false }, `${signal} again: exiting now, without waiting for running syncs`);
      process.exit(1);
    }
    stopping = true;
    logger.info({ event: 'app.stopping', signal, waitMs: STOP_WAIT_MS }, `stopping: running syncs get 2 s to end, then are abandoned; closing the database (at most ${STOP_WAIT_MS / 1000} s; ${signal} again to exit now)`);
    setTimeout(() => {
      logger.warn({ event: 'app.stopped', signal, waited: false }, `the stop did not end in ${STOP_WAIT_MS / 1000} s: exiting without it`);
      process.exit(1);
    }, STOP_WAIT_MS).unref();
    void running.close().then(() => {
      logger.info({ event: 'app.stopped', signal, waited: true }, 'stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`sample app failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
