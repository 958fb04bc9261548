import { resolveSyncClientOptions } from '../../../lib/peers/client-options';
import { filesClientOptions } from '../../helpers/client-fixture';

describe('SyncClient: `logger` is checked as the router checks it, in the constructor', () => {
  const options = filesClientOptions();

  it.each<[string, unknown]>([
    ['an empty object', {}],
    ['a logger without warn', { info: () => undefined, error: () => undefined }],
    ['a function', () => undefined],
    ['null', null],
  ])('refuses a logger that is %s, as the router does', (_label, logger) => {
    expect(() => resolveSyncClientOptions(options({ logger }))).toThrow(TypeError);
    expect(() => resolveSyncClientOptions(options({ logger }))).toThrow(/`logger` must have info, warn and error functions/);
  });
});
