import express, { type RequestHandler } from 'express';
import { boundedJsonBody } from '../../../index';

/** boundedJsonBody is public: a wrong argument fails when the middleware is built, naming it. */
describe('boundedJsonBody(parser, limit, drain) refuses bad arguments at construction', () => {
  const parser = express.json({ limit: 1024 });
  it.each([
    ['no parser', undefined, 1024, undefined, TypeError, /`parser` must be a body parser/],
    ['a parser that is a string', 'json', 1024, undefined, TypeError, /`parser`/],
    ['no limit', parser, undefined, undefined, TypeError, /`limit` is required/],
    ['a limit as text', parser, '100kb', undefined, TypeError, /`limit` must be a number, got string/],
    ['a zero limit', parser, 0, undefined, RangeError, /`limit` must be a positive integer, got 0/],
    ['a fractional limit', parser, 1.5, undefined, RangeError, /`limit` must be a positive integer/],
    ['drain limits that are not an object', parser, 1024, 5, TypeError, /`drain` must be an object/],
    ['a drain limit as text', parser, 1024, { refusedBodyDrainBytes: '1mb' }, TypeError, /`refusedBodyDrainBytes` must be a number, got string/],
    ['a negative drain', parser, 1024, { refusedBodyDrainMs: -1 }, RangeError, /`refusedBodyDrainMs` must be a non-negative integer/],
  ] as const)('%s', (_what, givenParser, limit, drain, type, message) => {
    const build = (): RequestHandler => boundedJsonBody(givenParser as unknown as RequestHandler, limit as unknown as number, drain as unknown as undefined);
    expect(build).toThrow(type);
    expect(build).toThrow(message);
  });

  it('takes a parser and its limit, and drain limits in part', () => {
    expect(typeof boundedJsonBody(parser, 1024)).toBe('function');
    expect(typeof boundedJsonBody(parser, 1024, { refusedBodyDrainMs: 100 })).toBe('function');
  });
});
