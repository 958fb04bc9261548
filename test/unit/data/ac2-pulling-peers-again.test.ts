import { PullingPeers } from '../../../lib/data/pulling-peers';

describe('PullingPeers: pages asked for again hold no push back', () => {
  it('a page starting before the furthest next served is a pull that did not land: neither pulling nor receiving', () => {
    const now = 1_000;
    const peers = new PullingPeers(() => now);
    peers.notePage('b', true, 40, 0);
    expect(peers.isPulling('b')).toBe(true);
    peers.notePage('b', false, 75, 40);
    expect(peers.receivingUpTo('b')).toBe(75);
    peers.notePage('b', true, 40, 0); // the same pull again: the one before failed to apply
    expect([peers.isPulling('b'), peers.receivingUpTo('b')]).toEqual([false, 0]);
    peers.notePage('b', false, 75, 40);
    expect(peers.receivingUpTo('b')).toBe(0);
    peers.notePage('b', false, 90, 75); // past what was served before: a pull like any other
    expect(peers.receivingUpTo('b')).toBe(90);
    peers.notePage('c', true, 10, 0);
    expect(peers.isPulling('c')).toBe(true); // each peer is judged by its own pages
  });
});
