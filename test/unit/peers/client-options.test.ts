import path from 'node:path';
import { DEFAULTS } from '../../../lib/defaults';
import { createFilePolicy } from '../../../lib/files/file-policy';
import { ManifestCache } from '../../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../../lib/files/sync-roots';
import { resolveSyncClientOptions, type SyncClientOptions } from '../../../lib/peers/client-options';
import { tempDir } from '../../helpers/temp';

/** A real (self-signed, EC) certificate: `peerCa` refuses one Node cannot read. */
const PEM = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBezCCASGgAwIBAgIUd16wvK1VsdgplvnZYrZP0/8bo+8wCgYIKoZIzj0EAwIw',
  'EjEQMA4GA1UEAwwHdGVzdC1jYTAgFw0yNjEyMDMxNTI1MDJaGA8yMTI2MTEwOTE1',
  'MjUwMlowEjEQMA4GA1UEAwwHdGVzdC1jYTBZMBMGByqGSM49AgEGCCqGSM49AwEH',
  'A0IABNWMEOv6dSG38joG56YwrOq1KceZLc9I+oabE+LzqvrINPbqCgWZkb7EOrOW',
  'XT1V6SCwlCM6pvLGbd1cAs2K41KjUzBRMB0GA1UdDgQWBBSgCU6Er4dortlW1+U+',
  'OTKdCdte9TAfBgNVHSMEGDAWgBSgCU6Er4dortlW1+U+OTKdCdte9TAPBgNVHRMB',
  'Af8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIGwbgQhV7ofZYV2r7n6x83KVFdC+',
  'RUxX6JLuTS8n2oIMAiEAqgnfaIjSpYNw7qp5aRC0arD7PZxF2JxTmMwZG/gRxc4=',
  '-----END CERTIFICATE-----',
].join('\n').concat('\n');

describe('SyncClient options: each checked once, defaults from DEFAULTS', () => {
  let temp: ReturnType<typeof tempDir>;
  let cache: ManifestCache;
  beforeEach(() => {
    temp = tempDir();
    cache = new ManifestCache();
  });
  afterEach(() => {
    cache.close();
    temp.cleanup();
  });

  const files = (): NonNullable<SyncClientOptions['files']> => ({ roots: resolveSyncRoots({ uploads: path.join(temp.dir, 'uploads') }), policy: createFilePolicy(), cache });
  const PEER = 'http://127.0.0.1:5000/api/sync';

  it.each(['', 'has a space in it', 'token-\u00e9-outside-ascii', 'line\r\nbreak-in-token'])('refuses a client token %j no Authorization header can carry, at construction', (token) => {
    expect(() => resolveSyncClientOptions({ peers: [PEER], token, files: files(), stateDir: path.join(temp.dir, 'state') })).toThrow(/`token` is empty, or holds a space, a control character or a character outside ASCII/);
  });

  it('applies the defaults and strips trailing slashes from peer URLs', () => {
    const config = resolveSyncClientOptions({ peers: [`${PEER}//`], files: files(), stateDir: path.join(temp.dir, 'state') });
    expect(config).toMatchObject({ peers: [PEER], token: undefined, syncPageSize: DEFAULTS.syncPageSize, peerTimeoutMs: DEFAULTS.peerTimeoutMs, backoff: DEFAULTS.backoff });
    expect(config.stateDir).toBe(path.join(temp.dir, 'state'));
  });

  it('keeps the given numbers and backoff', () => {
    const config = resolveSyncClientOptions({ peers: [PEER], files: files(), stateDir: path.join(temp.dir, 's'), syncPageSize: 10, peerTimeoutMs: 50, backoff: { baseMs: 5, maxMs: 9 }, token: 'x'.repeat(16), peerCa: PEM });
    expect(config).toMatchObject({ syncPageSize: 10, peerTimeoutMs: 50, backoff: { baseMs: 5, maxMs: 9 }, token: 'x'.repeat(16), peerCa: PEM });
  });

  it.each<[string, () => SyncClientOptions, ErrorConstructor, RegExp]>([
    ['no data and no files', () => ({ peers: [PEER] }), TypeError, /`data`, `files` or both/],
    ['peers that are not a list', () => ({ peers: PEER as unknown as string[], files: files(), stateDir: temp.dir + '/s' }), TypeError, /`peers` must be an array/],
    ['a peer that is not a string', () => ({ peers: [42 as unknown as string], files: files(), stateDir: temp.dir + '/s' }), TypeError, /URL string/],
    ['a peer that is not a URL', () => ({ peers: ['10.0.0.2:5000'], files: files(), stateDir: temp.dir + '/s' }), TypeError, /not a URL/],
    ['a peer over ftp', () => ({ peers: ['ftp://10.0.0.2/api/sync'], files: files(), stateDir: temp.dir + '/s' }), TypeError, /http or https/],
    ['a numeric token', () => ({ peers: [PEER], files: files(), stateDir: temp.dir + '/s', token: 7 as unknown as string }), TypeError, /`token`/],
    ['files without stateDir', () => ({ peers: [PEER], files: files() }), TypeError, /stateDir/],
    ['a stateDir that is not a path', () => ({ peers: [PEER], files: files(), stateDir: 3 as unknown as string }), TypeError, /stateDir/],
    ['a stateDir inside a root', () => ({ peers: [PEER], files: files(), stateDir: path.join(temp.dir, 'uploads', 'state') }), RangeError, /inside the sync root "uploads"/],
    ['a zero page size', () => ({ peers: [PEER], files: files(), stateDir: temp.dir + '/s', syncPageSize: 0 }), RangeError, /syncPageSize/],
    ['a string timeout', () => ({ peers: [PEER], files: files(), stateDir: temp.dir + '/s', peerTimeoutMs: '5s' as unknown as number }), TypeError, /peerTimeoutMs/],
    ['a CA that is a file name, not its text', () => ({ peers: [PEER], files: files(), stateDir: temp.dir + '/s', peerCa: 'certs/ca.pem' }), TypeError, /`peerCa` holds no PEM certificate.*not its file name/],
    ['a CA that is a number', () => ({ peers: [PEER], files: files(), stateDir: temp.dir + '/s', peerCa: 1 as unknown as string }), TypeError, /peerCa/],
    ['a backoff that is a number', () => ({ peers: [PEER], files: files(), stateDir: temp.dir + '/s', backoff: 5 as unknown as { baseMs: number; maxMs: number } }), TypeError, /backoff/],
    ['a negative backoff', () => ({ peers: [PEER], files: files(), stateDir: temp.dir + '/s', backoff: { baseMs: -1, maxMs: 5 } }), RangeError, /backoff.baseMs/],
    ['no options object', () => undefined as unknown as SyncClientOptions, TypeError, /options object/],
  ])('refuses %s, naming the option', (_label, options, type, message) => {
    expect(() => resolveSyncClientOptions(options())).toThrow(type);
    expect(() => resolveSyncClientOptions(options())).toThrow(message);
  });
});
