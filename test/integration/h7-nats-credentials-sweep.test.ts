import { randomUUID } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, trackedDb, tempDb, type TempDb } from '../helpers/data';
import { LOCK_TRIGGER as LOCK } from '../helpers/k3-held-sender';
import { captureLog } from '../helpers/log';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { TEST_TOKEN } from '../helpers/server';

/**
 * A NATS URL with credentials (`nats://user:password@host`) never shows its
 * password: not in /status (servers, connectedTo, lastError, the held
 * senders), /metrics, the rounds' results or the log, whether the login
 * works (a held sender, then a round that succeeds) or the password is wrong.
 */
const PASSWORD = 'Pw-9f3/Zq+hunter2';
const WRONG = 'Wrong-7c1/Xy+guess';

describeWithNats('NATS credentials in the URL never reach /status, /metrics, results or logs (real nats-server)', () => {
  const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
  let server: NatsServer;
  let reader: TempDb | undefined;
  let node: SyncNode | undefined;
  beforeAll(async () => {
    server = await startNatsServer(`listen: 127.0.0.1:{PORT}\njetstream { store_dir: "{STORE}" }\nauthorization { user: fleet, password: "${PASSWORD}" }\n`);
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(async () => {
    await node?.stop(0);
    node = undefined;
    reader?.cleanup();
    reader = undefined;
  });

  /** The reader's node with a captured log, mounted in an app; what it shows is gathered by `shown`. */
  function startReader(password: string, stream: string): { app: express.Express; shown: (results: unknown) => Promise<string> } {
    reader = tempDb(TEST_SCHEMA);
    reader.db.exec(LOCK);
    const log = captureLog('debug');
    node = createSyncNode({ token: TEST_TOKEN, logger: log.logger, database: reader.db, tables: ['teams', 'reports'], transport: { nats: { servers: `nats://fleet:${encodeURIComponent(password)}@127.0.0.1:${server.port}`, stream } } });
    const app = express();
    app.use('/api/sync', node.router);
    const shown = async (results: unknown): Promise<string> => {
      const status = (await request(app).get('/api/sync/status').set(AUTH).expect(200)).text;
      const metrics = (await request(app).get('/api/sync/metrics').set(AUTH).expect(200)).text;
      return [status, metrics, JSON.stringify(results), log.text()].join('\n');
    };
    return { app, shown };
  }

  it('logged in, with a sender held and then a round that succeeds: no password anywhere', async () => {
    const writer = trackedDb();
    const transport = new NatsTransport(resolveNatsOptions({ servers: `nats://fleet:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}`, stream: 'SWEEP_OK' }), { data: writer.tracker, peerTimeoutMs: 10_000, tokens: [TEST_TOKEN] });
    try {
      const { app, shown } = startReader(PASSWORD, 'SWEEP_OK');
      writer.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'locked', 1);
      await transport.exchange();
      const held = await node?.syncNow();
      expect(held).toMatchObject([{ ok: false, error: { code: 'APPLY_REFUSED' } }]);
      const status = (await request(app).get('/api/sync/status').set(AUTH).expect(200)).body as { transports: Array<{ nats: { servers: string[]; connectedTo: string | null; held: unknown[] } }> };
      expect(status.transports[0]?.nats).toMatchObject({ servers: [`nats://127.0.0.1:${server.port}`], connectedTo: expect.stringContaining('127.0.0.1'), held: [expect.objectContaining({ code: 'APPLY_REFUSED' })] });
      const whileHeld = await shown(held);
      expect(whileHeld).toContain('APPLY_REFUSED');
      expect(whileHeld).not.toContain(PASSWORD);
      expect(whileHeld).not.toContain(encodeURIComponent(PASSWORD));

      reader?.db.exec("DROP TRIGGER no_locked");
      const ok = await node?.syncNow();
      expect(ok).toMatchObject([{ ok: true }]);
      const after = await shown(ok);
      expect(after).not.toContain(PASSWORD);
      expect(after).not.toContain(encodeURIComponent(PASSWORD));
    } finally {
      await transport.close();
      writer.cleanup();
    }
  });

  it('a wrong password: the round, /status, /metrics and the log name the server, never the password', async () => {
    const { shown } = startReader(WRONG, 'SWEEP_WRONG');
    const results = await node?.syncNow();
    expect(results).toMatchObject([{ ok: false, error: { code: 'NATS_UNREACHABLE', message: expect.stringContaining(`127.0.0.1:${server.port}`) } }]);
    const all = await shown(results);
    expect(all).toMatch(/refused this server's credentials/);
    expect(all).not.toContain(WRONG);
    expect(all).not.toContain(encodeURIComponent(WRONG));
    expect(all).not.toContain(PASSWORD);
  });
});
