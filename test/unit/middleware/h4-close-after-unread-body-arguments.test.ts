import { closeAfterUnreadBody } from '../../../index';

describe('closeAfterUnreadBody([drain]) refuses bad drain limits at construction', () => {
  it.each([
    ['drain limits that are not an object', 5, TypeError, /closeAfterUnreadBody\(drain\): `drain` must be an object/],
    ['a drain limit as text', { refusedBodyDrainMs: '2s' }, TypeError, /`refusedBodyDrainMs` must be a number, got string/],
    ['a negative drain', { refusedBodyDrainBytes: -1 }, RangeError, /`refusedBodyDrainBytes` must be a non-negative integer/],
  ] as const)('%s', (_what, drain, type, message) => {
    const build = (): unknown => closeAfterUnreadBody(drain as unknown as undefined);
    expect(build).toThrow(type);
    expect(build).toThrow(message);
  });

  it('takes no drain limits, or some of them, and is an error middleware (four parameters)', () => {
    expect(closeAfterUnreadBody()).toHaveLength(4);
    expect(closeAfterUnreadBody({ refusedBodyDrainMs: 100 })).toHaveLength(4);
  });
});
