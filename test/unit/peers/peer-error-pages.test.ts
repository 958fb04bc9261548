import { Readable } from 'node:stream';
import { readPeerError } from '../../../lib/peers/peer-answer';

function answer(status: number, body: string): Parameters<typeof readPeerError>[0] {
  return { status, headers: {}, body: Readable.from([Buffer.from(body)]) };
}

describe('an error answer to a streaming request (a file transfer, a snapshot) without a JSON error of the peer', () => {
  it.each([502, 503, 504])('says a %i comes from a proxy or gateway whose server behind it is not answering', async (status) => {
    const error = await readPeerError(answer(status, '<html><h1>Bad Gateway</h1></html>'), 'download uploads/a.jpg');
    expect(error.code).toBe('PEER_ERROR');
    expect(error.status).toBe(status);
    expect(error.message).toBe(
      `download uploads/a.jpg: peer answered ${status} with no JSON error of its own (a proxy or gateway in front of the peer: the peer's server behind it is down, still starting, or not where the proxy sends requests)`,
    );
  });

  it('takes any other page for a proxy\'s, as a guess', async () => {
    const error = await readPeerError(answer(403, 'Forbidden'), 'download uploads/a.jpg');
    expect(error.message).toBe("download uploads/a.jpg: peer answered 403 with no JSON error of its own (a proxy's page?)");
  });

  it('keeps the peer\'s own JSON error as it is', async () => {
    const error = await readPeerError(answer(503, JSON.stringify({ error: { code: 'BUSY', message: 'try later' } })), 'download uploads/a.jpg');
    expect(error.code).toBe('BUSY');
    expect(error.message).toBe('download uploads/a.jpg: try later');
  });
});
