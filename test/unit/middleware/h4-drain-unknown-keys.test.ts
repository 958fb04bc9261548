import express, { type RequestHandler } from 'express';
import { boundedJsonBody, closeAfterUnreadBody } from '../../../index';

/**
 * The drain limits of the two public body helpers are options like any other:
 * a misspelt key (`refusedBodyDrainByte`) was passed over, so the limit the
 * caller meant silently stayed its default. Now it is a TypeError naming the
 * key, as createFilePolicy and the router do (lib/option-checks.ts).
 */
describe('closeAfterUnreadBody and boundedJsonBody refuse unknown drain keys', () => {
  const parser = express.json({ limit: 1024 });
  it.each([
    ['closeAfterUnreadBody', (): unknown => closeAfterUnreadBody({ refusedBodyDrainByte: 10 } as never), /refusedBodyDrainByte.*closeAfterUnreadBody/],
    ['boundedJsonBody', (): RequestHandler => boundedJsonBody(parser, 1024, { refusedBodyDrainMillis: 10 } as never), /refusedBodyDrainMillis.*boundedJsonBody/],
    ['closeAfterUnreadBody, a key beside good ones', (): unknown => closeAfterUnreadBody({ refusedBodyDrainMs: 5, maxUploadBytes: 1 } as never), /maxUploadBytes/],
  ])('%s: a TypeError naming the key', (_what, build, message) => {
    expect(build).toThrow(TypeError);
    expect(build).toThrow(message);
  });

  it.each([
    ['closeAfterUnreadBody', (): unknown => closeAfterUnreadBody([] as never)],
    ['boundedJsonBody', (): unknown => boundedJsonBody(parser, 1024, [] as never)],
  ])('%s: an array is no drain limits', (_what, build) => {
    expect(build).toThrow(/`drain` must be an object/);
  });

  it('still takes both known keys', () => {
    expect(closeAfterUnreadBody({ refusedBodyDrainBytes: 1, refusedBodyDrainMs: 2 })).toHaveLength(4);
    expect(typeof boundedJsonBody(parser, 1024, { refusedBodyDrainBytes: 1, refusedBodyDrainMs: 2 })).toBe('function');
  });
});
