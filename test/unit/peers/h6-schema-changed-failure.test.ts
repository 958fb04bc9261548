import { peerError } from '../../../lib/peers/peer-answer';
import { describeFailure } from '../../../lib/peers/peer-failure';
import { SyncError } from '../../../lib/sync-error';

const OWN = 'the tracked schema changed while this server runs (teams.region was added); sync is stopped so nothing is missed: restart the server';

describe('SCHEMA_CHANGED as a failure: whose server to restart', () => {
  it("names a peer's answer as the peer's: restart that server, not this one", () => {
    const error = peerError({ error: { code: 'SCHEMA_CHANGED', message: OWN } }, 409, 'GET data/info');
    const described = describeFailure(error, { peer: 'http://10.0.0.3:5000/api/sync', phase: 'handshake', clockSkewMs: undefined });
    expect(described.code).toBe('SCHEMA_CHANGED');
    expect(described.message).toMatch(/^http:\/\/10\.0\.0\.3:5000\/api\/sync stopped its data sync: .*restart that server, not this one/);
    expect(described.message).toContain('teams.region was added');
  });

  it.each([
    ['this server, in an HTTP round', OWN],
    ['this server, at a NATS stream message that waits', `stream message 2 (ess.S.ab) waits, and every later message waits with it (the stream is applied in order): ${OWN}`],
  ])('leaves the words of %s as they are', (_name, message) => {
    const described = describeFailure(new SyncError('SCHEMA_CHANGED', 409, message), { peer: 'nats:S', phase: 'pull', clockSkewMs: undefined });
    expect(described).toEqual({ code: 'SCHEMA_CHANGED', message });
  });
});
