import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { giveNewSiteIdToFile } from '../../lib/data/site-identity';
import { fileStateOf } from '../../lib/peers/file-settled';
import type { PeerSyncResult } from '../../index';
import { fleetPerTest } from '../helpers/fleet-per-test';
import { addTeam, siteOf, teamNumbers } from '../helpers/fleet-teams';
import { cells, type Fleet } from './convergence-fleet';

function databaseOf(fleet: Fleet, name: string): string {
  return path.join(fleet.dataDir(name), 'instance', 'app.db');
}

/** One round of `hub` with `peer` only. */
async function round(fleet: Fleet, hub: string, peer: string): Promise<PeerSyncResult> {
  const client = fleet.server(hub).sync.client;
  if (client === undefined) throw new Error(`${hub} runs no sync client`);
  return client.syncPeer(`${fleet.server(peer).url}/api/sync`);
}

/**
 * A hub A lists B and C, where C's database is a copy of B's file that its start could not tell apart (it kept B's
 * site id). A, restarted since it last met B, meets the copy C first. The data side refused only the URL met second
 * (B): the round with C went on (pulling, pushing, saving the cursors kept per site id), so once C took a new id,
 * B was taken for the server that had already received A's rows (A's push cursor for that id was C's
 * acknowledgement) and never got them: B stayed without A's team while every round said ok. Now both URLs are
 * refused while the clash lasts, naming both and the fix, and what A held of that site is forgotten: once the copy
 * takes a new id, both sync again and every server holds every row.
 */
describe('two data servers with one site id (a copied database) on two URLs', () => {
  const listen = fleetPerTest();

  /** A, B and C running, C's database a copy of B's that kept its id, A restarted since it met B; A holds team 10 B and C lack. */
  async function copiedLaptop(): Promise<Fleet> {
    const { fleet } = await listen('aj2-duplicate-site-', { A: ['B', 'C'], B: [], C: [] });
    fleet.start('A');
    await addTeam(fleet.start('B'), 1);
    expect(await round(fleet, 'A', 'B')).toMatchObject({ ok: true, rowsPulled: 1 });
    // B's database copied to a new laptop C as a block-level copy its start cannot tell apart; A restarted meanwhile.
    await fleet.stop('B');
    mkdirSync(path.dirname(databaseOf(fleet, 'C')), { recursive: true });
    copyFileSync(databaseOf(fleet, 'B'), databaseOf(fleet, 'C'));
    const copy = new Database(databaseOf(fleet, 'C'));
    copy.prepare('UPDATE _sync_state SET file_id = NULL WHERE id = 1').run();
    copy.close();
    await fleet.stop('A');
    for (const name of ['A', 'B', 'C']) fleet.start(name);
    expect(siteOf(fleet.server('C'))).toBe(siteOf(fleet.server('B')));
    await addTeam(fleet.server('A'), 10);
    return fleet;
  }

  /** The operator's fix, on the copy: stopped, `express-sqlite-sync new-site-id`, started again. */
  async function fixCopy(fleet: Fleet): Promise<void> {
    await fleet.stop('C');
    giveNewSiteIdToFile(databaseOf(fleet, 'C'));
    fleet.start('C');
  }

  it('the copy met first, the original refused: once the copy takes a new id, the original gets what the copy acknowledged', async () => {
    const fleet = await copiedLaptop();
    expect(await round(fleet, 'A', 'C')).toMatchObject({ ok: true, rowsPushed: 1 });
    expect(await round(fleet, 'A', 'B')).toMatchObject({ ok: false, error: { code: 'DUPLICATE_SITE_ID' } });
    await fixCopy(fleet);
    await fleet.syncUntilQuiet(['A']);
    for (const name of ['A', 'B', 'C']) expect(teamNumbers(fleet.server(name))).toEqual([1, 10]);
    expect(cells(fleet.server('B').db)).toEqual(cells(fleet.server('A').db));
    expect(cells(fleet.server('C').db)).toEqual(cells(fleet.server('A').db));
  });

  it('while the clash lasts both URLs are refused, named with the fix, and nothing moves; then both sync again', async () => {
    const fleet = await copiedLaptop();
    expect(await round(fleet, 'A', 'C')).toMatchObject({ ok: true });
    const [b, c] = [`${fleet.server('B').url}/api/sync`, `${fleet.server('C').url}/api/sync`];
    for (const peer of ['B', 'C', 'B', 'C']) {
      await addTeam(fleet.server(peer), peer === 'B' ? 2 : 3); // changes that would move, but for the clash
      const refused = await round(fleet, 'A', peer);
      expect(refused).toMatchObject({ ok: false, rowsPulled: 0, rowsPushed: 0, error: { code: 'DUPLICATE_SITE_ID' } });
      expect(refused.error?.message.startsWith(`${peer === 'B' ? `${b} and ${c}` : `${c} and ${b}`} both answer as site ${siteOf(fleet.server('B'))}: `)).toBe(true);
      expect(refused.error?.message).toMatch(/on the copy, stop it and run `npx express-sqlite-sync new-site-id --db <its database>`, then start it again/);
      expect(refused.error?.message).toMatch(/list only one of their URLs as a peer$/);
    }
    expect(fleet.server('A').sync.client?.peerStatuses().map((status) => status.lastErrorCode)).toEqual(['DUPLICATE_SITE_ID', 'DUPLICATE_SITE_ID']);
    expect(teamNumbers(fleet.server('A'))).toEqual([1, 10]);

    await fixCopy(fleet);
    const results = await fleet.syncUntilQuiet(['A']);
    expect(results.slice(-2).map((result) => result.ok)).toEqual([true, true]);
    for (const name of ['A', 'B', 'C']) expect(teamNumbers(fleet.server(name))).toEqual([1, 2, 3, 10]);
    expect(cells(fleet.server('B').db)).toEqual(cells(fleet.server('A').db));
    expect(cells(fleet.server('C').db)).toEqual(cells(fleet.server('A').db));
  });

  it('while the clash lasts the file bases kept with both URLs are dropped and settlements under that id are not recorded', async () => {
    const fleet = await copiedLaptop();
    expect(await round(fleet, 'A', 'C')).toMatchObject({ ok: true });
    const client = fleet.server('A').sync.client;
    const stateDir = path.join(fleet.dataDir('A'), '.sync-state');
    const bases = ['B', 'C'].map((name) => fileStateOf(stateDir, `${fleet.server(name).url}/api/sync`));
    expect(bases.map((base) => existsSync(base))).toEqual([true, true]);

    expect(await round(fleet, 'A', 'B')).toMatchObject({ ok: false, error: { code: 'DUPLICATE_SITE_ID' } });
    // A settlement the original's own round would tell A (POST /files/settled): it would land in the copy's base too.
    const settled = new Map([['uploads', new Map([['photo.jpg', 'ab'.repeat(32)]])]]);
    expect(await client?.recordPeerSettlements(siteOf(fleet.server('B')), settled)).toBe(0);
    expect(bases.map((base) => existsSync(base))).toEqual([false, false]);
  });
});
