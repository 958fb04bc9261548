import { parseQuotedKey } from '../../../lib/data/key-codec';

describe('a composite metadata key holding TEXT with a NUL character (J + its JSON string)', () => {
  it('reads back every character, commas, quotes and backslashes included, beside the other forms', () => {
    expect(parseQuotedKey(`'a',J"r\\"e,d\\u0000x\\\\Z",X'00FF',-3,J"\\u0000"`)).toEqual(['a', 'r"e,d\u0000x\\Z', Buffer.from([0, 255]), -3n, '\u0000']);
  });

  it('refuses one cut short (a corrupted metadata row)', () => {
    expect(() => parseQuotedKey('J"red\\u0000')).toThrow(/unterminated text in key/);
  });
});
