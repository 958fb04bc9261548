import { decodeQueryComponent, readFileQuery } from '../../../lib/files/raw-query';
import { SyncError } from '../../../lib/sync-error';

function refusal(run: () => unknown): { code: string; message: string } | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!(error instanceof SyncError)) throw error;
    return { code: error.code, message: error.message };
  }
}

describe('readFileQuery: a file route query read as sent', () => {
  it('decodes as Express does: + is a space, a stray % stays, valid UTF-8 passes', () => {
    expect(decodeQueryComponent('a+b%2Bc')).toBe('a b+c');
    expect(decodeQueryComponent('50%.pdf')).toBe('50%.pdf');
    expect(decodeQueryComponent('%C3%A9t%C3%A9')).toBe('été');
    expect(decodeQueryComponent('%EF%BF%BD')).toBe('\uFFFD');
    expect(decodeQueryComponent('%E0%A4')).toBeUndefined();
    expect(decodeQueryComponent('%FF')).toBeUndefined();
  });

  it('keeps the allowed parameters, repeated ones as a list, and skips empty pieces', () => {
    expect(readFileQuery('/files?path=uploads/a.txt&if_match=none&', ['path', 'if_match'])).toEqual({ path: 'uploads/a.txt', if_match: 'none' });
    expect(readFileQuery('/files?path=a&path=b', ['path'])).toEqual({ path: ['a', 'b'] });
    expect(readFileQuery('/files?pa%74h=x', ['path'])).toEqual({ path: 'x' });
    expect(readFileQuery('/files', ['path'])).toEqual({});
  });

  it('refuses an unknown or malformed parameter, naming it, and a path that is not UTF-8', () => {
    expect(refusal(() => readFileQuery('/files?path=a&if-match=x', ['path', 'if_match']))).toEqual({ code: 'BAD_REQUEST', message: expect.stringContaining('"if-match"') });
    expect(refusal(() => readFileQuery('/files?path%5B%5D=a', ['path']))).toEqual({ code: 'BAD_REQUEST', message: expect.stringContaining('"path[]"') });
    expect(refusal(() => readFileQuery('/files?=a', ['path']))).toEqual({ code: 'BAD_REQUEST', message: expect.stringContaining('""') });
    expect(refusal(() => readFileQuery('/files?path=up/%E0%A4', ['path']))).toEqual({ code: 'BAD_PATH', message: expect.stringContaining('UTF-8') });
    expect(refusal(() => readFileQuery('/files?path=a&if_match=%FF', ['path', 'if_match']))).toEqual({ code: 'BAD_REQUEST', message: expect.stringContaining('`if_match`') });
  });
});
