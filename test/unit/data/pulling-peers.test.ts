import { MAX_PULLING_PEERS, PullingPeers } from '../../../lib/data/pulling-peers';

describe('PullingPeers: which peers are pulling from this server right now', () => {
  it('a page with more to come starts a pull, the last page ends it, and a pull that stops lapses after 10 s', () => {
    let now = 1_000;
    const peers = new PullingPeers(() => now);
    expect(peers.isPulling('b')).toBe(false);
    peers.notePage('b', true);
    expect(peers.isPulling('b')).toBe(true);
    expect(peers.isPulling('c')).toBe(false);
    peers.notePage('b', false);
    expect(peers.isPulling('b')).toBe(false);
    peers.notePage('b', true);
    now += 10_001;
    expect(peers.isPulling('b')).toBe(false);
    expect(peers.served('b')).toBe(3);
    expect(peers.served('c')).toBe(0);
  });

  it('after the last page of a pull, the peer is receiving up to its next for 10 s: a push starts there', () => {
    let now = 1_000;
    const peers = new PullingPeers(() => now);
    expect(peers.receivingUpTo('b')).toBe(0);
    peers.notePage('b', true, 40);
    expect(peers.receivingUpTo('b')).toBe(0); // more to come: the push gives way altogether
    peers.notePage('b', false, 75);
    expect([peers.isPulling('b'), peers.receivingUpTo('b'), peers.receivingUpTo('c')]).toEqual([false, 75, 0]);
    now += 10_000;
    expect(peers.receivingUpTo('b')).toBe(75);
    now += 1;
    expect(peers.receivingUpTo('b')).toBe(0);
  });

  it('remembers at most MAX_PULLING_PEERS peers: the one named first is forgotten first, the others kept', () => {
    const peers = new PullingPeers(() => 1_000);
    peers.notePage('first', true, 10);
    for (let i = 0; i < MAX_PULLING_PEERS; i += 1) peers.notePage(`s${i}`, true, 10);
    peers.noteWaiting('waiting', 5);
    expect(peers.served('first')).toBe(0);
    expect(peers.isPulling('first')).toBe(false);
    expect(peers.served(`s${MAX_PULLING_PEERS - 1}`)).toBe(1);
    expect(peers.isPulling(`s${MAX_PULLING_PEERS - 1}`)).toBe(true);
    expect(peers.isPulling('waiting')).toBe(true);
    expect(peers.isPulling('s0')).toBe(false); // its last page forgotten to make room for the waiting pull
    expect(peers.served('s0')).toBe(1);
  });
});
