import { MAX_PULLING_PEERS, PullingPeers } from '../../../lib/data/pulling-peers';

describe('PullingPeers: the bound forgets the peer named least lately, not one still pulling', () => {
  it('a peer that pulled first and pulls still is kept when MAX_PULLING_PEERS others were named since its first page', () => {
    const peers = new PullingPeers(() => 1_000);
    peers.notePage('active', true, 10);
    for (let i = 0; i < MAX_PULLING_PEERS - 1; i += 1) peers.notePage(`s${i}`, true, 10);
    peers.notePage('active', true, 20); // its pull goes on: it is the one named most lately
    peers.notePage('newcomer', true, 10); // room made for it
    expect(peers.isPulling('active')).toBe(true);
    expect(peers.served('active')).toBe(2);
    expect(peers.isPulling('s0')).toBe(false); // named least lately: forgotten
    expect(peers.served('s0')).toBe(0);
    expect(peers.isPulling('newcomer')).toBe(true);
  });

  it('a pull that waits for a push page counts as named lately too', () => {
    const peers = new PullingPeers(() => 1_000);
    peers.notePage('active', true, 10);
    for (let i = 0; i < MAX_PULLING_PEERS - 1; i += 1) peers.notePage(`s${i}`, true, 10);
    peers.noteWaiting('active', 10);
    peers.notePage('newcomer', true, 10);
    expect(peers.isPulling('active')).toBe(true);
  });

  it('a page asked for again is still told apart after others were named: the furthest next served is kept with the peer', () => {
    const peers = new PullingPeers(() => 1_000);
    peers.notePage('active', false, 50, 0);
    for (let i = 0; i < MAX_PULLING_PEERS - 1; i += 1) peers.notePage(`s${i}`, true, 10);
    peers.notePage('active', false, 50, 0); // its pull before did not land: asked again
    peers.notePage('newcomer', true, 10);
    peers.notePage('active', true, 30, 0); // again, from 0
    expect(peers.isPulling('active')).toBe(false); // asked again: holds no push back
  });
});
