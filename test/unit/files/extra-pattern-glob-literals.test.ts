import { createFilePolicy } from '../../../lib/files/file-policy';

/**
 * Extra database patterns are folded like names (fullwidth letters, ß, accents), but a character
 * outside ASCII that folds to glob structure stays a literal: fullwidth brackets, common in Japanese
 * names, folded to `( ) [ ]` and turned `report（1）.json` into a group matching `report1.json`, and
 * `資料［旧］/**` into a class. Fullwidth wildcards (`＊.bak`) stay wildcards, as their writer meant.
 */
describe('extra patterns: fullwidth brackets fold to literals, never to glob structure', () => {
  it.each([
    ['report（1）.json', 'report1.json', false],
    ['report（1）.json', 'a/report1.json', false],
    ['report（1）.json', 'report（1）.json', true],
    ['report（1）.json', 'report(1).json', true],
    ['資料［旧］/**', '資料旧/a.txt', false],
    ['資料［旧］/**', '資料［旧］/a.txt', true],
    ['data/｛a,b｝.json', 'data/a.json', false],
    ['data/｛a,b｝.json', 'data/{a,b}.json', true],
    ['＠（x）', '@(x)', true],
    ['＠（x）', 'x', false],
    ['＊.bak', 'old.bak', true],
    ['**/Straße.json', 'a/STRASSE.json', true],
    ['Ｓｅｃｒｅｔｓ/**', 'secrets/a.txt', true],
    ['café/**', 'cafe/x.txt', true],
  ])('%s against %s: refused %s', (pattern, file, refused) => {
    expect(createFilePolicy({ extraPatterns: [pattern] }).isDatabaseName(file)).toBe(refused);
  });

  it('still refuses a pattern that reads as negated once folded', () => {
    expect(() => createFilePolicy({ extraPatterns: ['！*.db'] })).toThrow(/negated pattern/);
  });
});
