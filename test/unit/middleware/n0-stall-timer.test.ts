import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { abandonWhenStalled } from '../../../middleware/stall';

/** A socket as abandonWhenStalled reads it: byte counts, and whether it was destroyed. */
class FakeSocket extends EventEmitter {
  bytesRead = 0;
  bytesWritten = 0;
  writableLength = 0;
  destroyed = false;
  /** libuv's write queue, as Node's own socket timeout reads it. */
  readonly _handle = { writeQueueSize: 0 };
  readonly remoteAddress = '127.0.0.1';
  destroy(): void {
    this.destroyed = true;
  }
}

function watched(ms: number, closed = false): { socket: FakeSocket; res: EventEmitter; warnings: unknown[] } {
  const socket = new FakeSocket();
  const res = Object.assign(new EventEmitter(), { closed });
  const warnings: unknown[] = [];
  const logger = { warn: (fields: unknown) => warnings.push(fields), info: () => undefined, error: () => undefined, debug: () => undefined };
  const req = { socket, url: '/data/snapshot?x=1', method: 'GET' } as unknown as IncomingMessage;
  abandonWhenStalled(req, res as unknown as ServerResponse, ms, logger as never);
  return { socket, res, warnings };
}

/**
 * Helper n2 measured a stalled snapshot and a stalled download cut after 120 s with `sendStallMs` 60 s:
 * Node skips a socket timeout while the socket's write queue changed since its last check. The wait is now
 * the module's own, over the socket's byte counts (fake timers: no test depends on the machine's speed).
 */
describe('abandonWhenStalled: its own wait over the byte counts', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('cuts a connection that moved no byte for ms, once, and logs it once', () => {
    const { socket, warnings } = watched(60_000);
    jest.advanceTimersByTime(59_000);
    expect(socket.destroyed).toBe(false);
    jest.advanceTimersByTime(1_000);
    expect(socket.destroyed).toBe(true);
    jest.advanceTimersByTime(300_000);
    expect(warnings).toEqual([expect.objectContaining({ event: 'answer.abandoned', path: '/data/snapshot', stallMs: 60_000 })]);
  });

  it('never cuts one that keeps moving bytes, however slowly, either way; each byte restarts the wait', () => {
    const { socket } = watched(1_000);
    for (let step = 0; step < 20; step += 1) {
      jest.advanceTimersByTime(750);
      if (step % 2 === 0) socket.bytesWritten += 1;
      else socket.bytesRead += 1;
    }
    expect(socket.destroyed).toBe(false);
    jest.advanceTimersByTime(1_250);
    expect(socket.destroyed).toBe(true);
  });

  it('stops watching when the answer closes', () => {
    const { socket, res } = watched(1_000);
    res.emit('close');
    jest.advanceTimersByTime(10_000);
    expect(socket.destroyed).toBe(false);
  });

  it('counts a large write draining to a slow reader as progress (bytesWritten counts it whole at once: reviewer n5)', () => {
    const { socket } = watched(1_000);
    socket.bytesWritten = 10_000_000; // res.end(page): taken in one write
    socket._handle.writeQueueSize = 10_000_000;
    for (let step = 0; step < 20; step += 1) {
      jest.advanceTimersByTime(750);
      socket._handle.writeQueueSize -= 100_000; // the kernel takes a little at a time
    }
    expect(socket.destroyed).toBe(false);
    jest.advanceTimersByTime(1_250); // the reader stops: the queue stays as it is
    expect(socket.destroyed).toBe(true);
  });

  it('arms nothing for an answer already closed (a client gone during the work before it): no false warning', () => {
    const { socket, warnings } = watched(1_000, true);
    jest.advanceTimersByTime(10_000);
    expect(socket.destroyed).toBe(false);
    expect(warnings).toEqual([]);
  });
});
