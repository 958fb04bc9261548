import { PullingPeers } from '../../../lib/data/pulling-peers';

describe('PullingPeers: which peers are pulling from this server right now', () => {
  it('a page served starts or prolongs a pull, the last one too (the peer is applying it), and a pull lapses 10 s after its last page', () => {
    let now = 1_000;
    const peers = new PullingPeers(() => now);
    expect(peers.isPulling('b')).toBe(false);
    peers.notePage('b');
    expect(peers.isPulling('b')).toBe(true);
    expect(peers.isPulling('c')).toBe(false);
    now += 6_000;
    peers.notePage('b'); // its last page: it still counts while the peer applies it
    now += 6_000;
    expect(peers.isPulling('b')).toBe(true);
    now += 4_001;
    expect(peers.isPulling('b')).toBe(false);
    expect(peers.served('b')).toBe(2);
    expect(peers.served('c')).toBe(0);
  });
});
