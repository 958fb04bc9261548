import { PullingPeers } from '../../../lib/data/pulling-peers';

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
});
