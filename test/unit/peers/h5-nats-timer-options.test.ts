import { resolveNatsOptions } from '../../../lib/peers/nats/nats-options';
import { createSyncNode } from '../../../node/create-sync-node';
import { silentLogger } from '../../../lib/logger';
import { trackedDb } from '../../helpers/data';

/**
 * Node runs a timer longer than 2,147,483,647 ms after 1 ms (TimeoutOverflowWarning):
 * `requestTimeoutMs: 2 ** 33` ("never time out") made every connect time out at once
 * (NATS_UNREACHABLE 'no NATS server answered …: timeout', for ever), and a huge
 * `publishIntervalMs` looked for local writes every millisecond, a warning each time.
 */
describe('transport.nats timers longer than Node can wait', () => {
  const servers = 'nats://127.0.0.1:4222';

  it.each(['requestTimeoutMs', 'publishIntervalMs'])('%s above 2147483647 is a RangeError naming it; 2147483647 is taken', (option) => {
    expect(() => resolveNatsOptions({ servers, [option]: 2 ** 33 })).toThrow(RangeError);
    expect(() => resolveNatsOptions({ servers, [option]: 2_147_483_648 })).toThrow(new RegExp(`transport\\.nats\\.${option}.*2147483647.*2147483648`));
    expect(resolveNatsOptions({ servers, [option]: 2_147_483_647 })).toMatchObject({ [option]: 2_147_483_647 });
  });

  it('createSyncNode refuses it before it touches the database', () => {
    const temp = trackedDb();
    try {
      const db = temp.connect();
      expect(() =>
        createSyncNode({ token: 'a-long-enough-sync-token', database: db, tables: ['teams'], logger: silentLogger, transport: { nats: { servers, requestTimeoutMs: 2 ** 40 } } }),
      ).toThrow(/transport\.nats\.requestTimeoutMs/);
    } finally {
      temp.cleanup();
    }
  });
});
