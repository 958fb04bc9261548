import { startPeers, type LivePeer } from '../helpers/peers';

/**
 * A push the peer refused as clocked in its future: the pushing server's /status,
 * page, CLI and log showed the peer's own words, "… carries a clock 3600 s ahead of
 * this server's (limit 300 s): the sender's clock is ahead …, or this server's is
 * behind", where "this server" is the peer, followed by this side's hint, where
 * "this server" is this one: one message, two servers under one name. The peer's
 * words are now quoted as its own (as a relayed SCHEMA_CHANGED is).
 */
describe("a push refused as CLOCK_SKEW quotes the peer's words as the peer's", () => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  beforeEach(async () => {
    cluster = await startPeers(2, 'mesh');
  });
  afterEach(async () => {
    await cluster.close();
  });

  it('names the peer that refused, then its words in "it said: …", then the hint about this server', async () => {
    const [a, b] = cluster.peers as [LivePeer, LivePeer];
    await b.sync.syncNow(); // b has pulled everything: a's round below pushes
    a.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run('a0b1c2d3-0000-4000-8000-000000000002', 2, 'written while the clock was an hour ahead');
    a.db.prepare('UPDATE _sync_log SET hlc = ? WHERE seq = (SELECT max(seq) FROM _sync_log)').run((Date.now() + 3600_000) * 1024);
    const [pushed] = await a.sync.syncNow();
    expect(pushed?.error?.code).toBe('CLOCK_SKEW');
    const message = pushed?.error?.message ?? '';
    expect(message.startsWith(`${b.syncUrl} refused this server's changes as clocked too far in its future (it said: `)).toBe(true);
    const [, quoted = '', after = ''] = /\(it said: (.*)\)\. (.*)$/.exec(message) ?? [];
    expect(quoted).toMatch(/ahead of this server's \(limit 300 s\)/); // the peer's "this server", inside its quote
    expect(after).toMatch(/^The clocks agree now .* this server's database holds changes written while its clock was ahead/);
    expect(a.sync.client?.peerStatuses()[0]?.lastError).toBe(`CLOCK_SKEW: ${message}`);
  });
});
