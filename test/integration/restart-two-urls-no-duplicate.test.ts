import type Database from 'better-sqlite3';
import express, { type RequestHandler } from 'express';
import type { PeerSyncResult } from '../../index';
import { tempNodes } from '../helpers/temp-nodes';

/**
 * An operator lists one server under two URLs (its LAN address and a name, say). That server restarts (a
 * laptop at an event: every few hours): the hub's next round asks one URL first, which answers with the new
 * instance while the other URL's last answer still named the old one. That was taken for two servers sharing
 * one site id: DUPLICATE_SITE_ID for both URLs, every cursor of the site forgotten, and the next rounds pulled
 * and pushed the whole database again. A restart is now told apart: the URL that changed instance left the one
 * the other URL was last heard with, and that URL was not heard since.
 */
describe('a server listed under two URLs restarts', () => {
  const nodes = tempNodes('restart-two-urls-');

  function addTeams(db: Database.Database, from: number, count: number): void {
    const insert = db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)');
    db.transaction(() => {
      for (let i = from; i < from + count; i += 1) insert.run(`t${i}`, `team ${i}`);
    })();
  }

  function moved(results: readonly PeerSyncResult[]): { rowsPulled: number; rowsPushed: number } {
    return results.reduce((sum, result) => ({ rowsPulled: sum.rowsPulled + result.rowsPulled, rowsPushed: sum.rowsPushed + result.rowsPushed }), { rowsPulled: 0, rowsPushed: 0 });
  }

  it('the hub goes on where it was: no DUPLICATE_SITE_ID, no resync of what it holds', async () => {
    const serverDb = nodes.open('server');
    let running = nodes.node(serverDb, 'server', []);
    const app = express();
    app.use('/api/sync', (req, res, next) => running.router(req, res, next));
    const [first, second] = [await nodes.serve(app), await nodes.serve(app)];
    const hubDb = nodes.open('hub');
    const hub = nodes.node(hubDb, 'hub', [first.url, second.url]);

    addTeams(serverDb, 0, 50);
    const before = await hub.syncNow();
    expect(before.map((result) => result.ok)).toEqual([true, true]);
    expect(moved(before).rowsPulled).toBe(50);

    // The server restarts on the same database and state folder: a new instance at both URLs.
    await running.stop();
    running = nodes.node(serverDb, 'server', []);
    addTeams(serverDb, 50, 1);

    let pulled = 0;
    for (const url of [`${first.url}/api/sync`, `${second.url}/api/sync`]) {
      const result = await hub.client?.syncPeer(url);
      expect(result?.error).toBeUndefined();
      expect(result?.ok).toBe(true);
      pulled += result?.rowsPulled ?? 0;
    }
    expect(pulled).toBe(1);
    const after = await hub.syncNow();
    expect(after.map((result) => result.error?.code ?? 'ok')).toEqual(['ok', 'ok']);
    expect(moved(after)).toEqual({ rowsPulled: 0, rowsPushed: 0 });
    expect(hubDb.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(51);
    expect(hub.client?.peerStatuses().map((status) => status.lastErrorCode)).toEqual([null, null]);
  });

  /** Once armed, holds the next answer to `GET /data/info` until released: it is made then, by the server running then, and sent later. */
  function infoGate(): { readonly hold: RequestHandler; readonly held: Promise<void>; arm(): void; release(): void } {
    let armed = false;
    let release = (): void => undefined;
    let noteHeld = (): void => undefined;
    const held = new Promise<void>((resolve) => (noteHeld = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const hold: RequestHandler = (req, res, next) => {
      if (!armed || req.method !== 'GET' || !req.path.endsWith('/data/info')) return next();
      armed = false;
      const end = res.end.bind(res) as (...args: unknown[]) => unknown;
      res.end = ((...args: unknown[]) => {
        noteHeld();
        void released.then(() => end(...args));
        return res;
      }) as typeof res.end;
      next();
    };
    return { hold, held, arm: () => (armed = true), release: () => release() };
  }

  it('an answer from before the restart that arrives after the other URL answered from after it is no rival', async () => {
    const serverDb = nodes.open('server');
    let running = nodes.node(serverDb, 'server', []);
    const gate = infoGate();
    const [appOne, appTwo] = [express(), express()];
    appOne.use(gate.hold);
    for (const app of [appOne, appTwo]) app.use('/api/sync', (req, res, next) => running.router(req, res, next));
    const [one, two] = [await nodes.serve(appOne), await nodes.serve(appTwo)];
    const hubDb = nodes.open('hub');
    const hub = nodes.node(hubDb, 'hub', [one.url, two.url]);
    addTeams(serverDb, 0, 20);
    expect((await hub.syncNow()).map((result) => result.error?.code ?? 'ok')).toEqual(['ok', 'ok']);

    // The hub asks URL one; the server answers (its old instance), and the answer is slow to arrive.
    gate.arm();
    const late = hub.client?.syncPeer(`${one.url}/api/sync`);
    await gate.held;
    await running.stop();
    running = nodes.node(serverDb, 'server', []); // restarted meanwhile
    addTeams(serverDb, 20, 1);
    const viaTwo = await hub.client?.syncPeer(`${two.url}/api/sync`); // answers with the new instance
    expect(viaTwo?.error).toBeUndefined();
    gate.release(); // the old instance's answer arrives now
    const viaOne = await late;
    expect(viaOne?.error?.code).toBeUndefined();
    const after = await hub.syncNow();
    expect(after.map((result) => result.error?.code ?? 'ok')).toEqual(['ok', 'ok']);
    expect(moved(after)).toEqual({ rowsPulled: 0, rowsPushed: 0 });
    expect(hubDb.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(21);
  });
});
