import Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import type { TransportStatus } from '../../lib/peers/transport';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { insertTeam as insert, LOCK_TRIGGER as LOCK, UNLOCK_TRIGGER as UNLOCK } from '../helpers/k3-held-sender';
import { natsNodes, type NatsNode } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';
import { TEST_TOKEN } from '../helpers/server';

/**
 * A sender held on the stream (its page must wait; here an app trigger on the
 * reader refuses it: APPLY_REFUSED) was visible on /status only through
 * `lastError`, the first held sender's, the others named in its message; and
 * after a restart, until the held sender's first try, /status said nothing of
 * it (`lastError` null, state `idle`). `nats.held` lists every held sender
 * with the message that waits and why, also right after a restart (the code
 * its last try saved), and is empty when none is.
 */
describeWithNats('held senders on /status (real nats-server)', () => {
  let reader: TempDb | undefined;
  let node: SyncNode | undefined;
  let app: express.Express | undefined;

  // Declared before natsNodes(), whose afterEach stops nats-server: jest runs afterEach hooks in the order
  // they are declared, and a reader still connected when nats-server stopped could see its NATS client
  // write to the ended socket, an uncaught 'write after end' that failed the test now and then.
  afterEach(async () => {
    await node?.stop(0);
    node = undefined;
    reader?.cleanup();
    reader = undefined;
  });
  const nats = natsNodes();
  const STREAM = 'HELD_STATUS';
  const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

  /** The reader's node on its database file (again, after a restart), mounted in an app. */
  function startReader(db: Database.Database): void {
    node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: db, tables: ['teams', 'reports'], transport: { nats: { servers: nats.server().url, stream: STREAM } } });
    app = express();
    app.use('/api/sync', node.router);
  }

  async function natsStatus(): Promise<TransportStatus> {
    if (app === undefined) throw new Error('no reader');
    const { body } = await request(app).get('/api/sync/status').set(AUTH).expect(200);
    const entry = (body as { transports: TransportStatus[] }).transports.find((t) => t.kind === 'nats');
    if (entry === undefined) throw new Error('no NATS transport in /status');
    return entry;
  }

  async function heldFleet(): Promise<{ first: NatsNode; second: NatsNode; other: NatsNode }> {
    const writer = (): NatsNode => nats.node({ stream: STREAM }, { tokens: [TEST_TOKEN] });
    const [first, second, other] = [writer(), writer(), writer()];
    reader = tempDb(TEST_SCHEMA);
    reader.db.exec(LOCK);
    startReader(reader.db);
    expect((await natsStatus()).nats?.held).toEqual([]);
    insert(first, 'locked', 1);
    await first.transport.exchange();
    insert(other, 'from another server', 2);
    await other.transport.exchange();
    insert(second, 'locked', 3);
    await second.transport.exchange();
    expect(await node?.syncNow()).toMatchObject([{ ok: false, error: { code: 'APPLY_REFUSED' } }]);
    return { first, second, other };
  }

  it('lists every held sender with its message, code and reason; empty again once they are applied', async () => {
    const { first, second } = await heldFleet();
    const status = await natsStatus();
    expect(status).toMatchObject({ state: 'failing', lastError: { code: 'APPLY_REFUSED' } });
    const subject = (at: NatsNode): string => `ess.${STREAM}.${at.tracker.siteId}`;
    expect(status.nats?.held).toEqual([
      { subject: subject(first), site: first.tracker.siteId, seq: 1, after: 0, code: 'APPLY_REFUSED', message: expect.stringContaining(`stream message 1 (${subject(first)})`) },
      { subject: subject(second), site: second.tracker.siteId, seq: 3, after: 2, code: 'APPLY_REFUSED', message: expect.stringContaining(`stream message 3 (${subject(second)})`) },
    ]);

    reader?.db.exec(UNLOCK);
    expect(await node?.syncNow()).toMatchObject([{ ok: true }]);
    const after = await natsStatus();
    expect(after).toMatchObject({ lastError: null, nats: { held: [] } });
    expect(after.state).not.toBe('failing');
  });

  it('right after a restart, before any try: the held senders are listed with the code their last try saved, and the transport is failing', async () => {
    const { first } = await heldFleet();
    await node?.stop(0);
    if (reader === undefined) throw new Error('no reader');
    reader.db.close();
    const db = new Database(reader.file);
    try {
      startReader(db);
      const status = await natsStatus();
      expect(status.state).toBe('failing');
      expect(status.lastError).toMatchObject({ code: 'APPLY_REFUSED', message: expect.stringContaining(`stream message 1 (ess.${STREAM}.${first.tracker.siteId})`) });
      expect(status.nats?.held).toEqual([
        expect.objectContaining({ site: first.tracker.siteId, seq: 1, code: 'APPLY_REFUSED', message: expect.stringMatching(/before this server started/) }),
        expect.objectContaining({ seq: 3, code: 'APPLY_REFUSED' }),
      ]);
      // Its first try says why again, with the reason's own words.
      expect(await node?.syncNow()).toMatchObject([{ ok: false, error: { code: 'APPLY_REFUSED' } }]);
      expect((await natsStatus()).nats?.held?.[0]).toMatchObject({ seq: 1, code: 'APPLY_REFUSED', message: expect.stringMatching(/locked teams are read-only/) });
    } finally {
      await node?.stop(0);
      node = undefined;
      db.close();
    }
  });
});
