import { createFilePolicy } from '../../../lib/files/file-policy';

/**
 * Extra patterns were matched against names folded like the built-in database names
 * (`ｓｅｃｒｅｔｓ/` is `secrets/`), but the pattern itself was not folded: one written with a
 * letter outside ASCII (`Straße.json`, `équipe/**`, `*.clé`) or in fullwidth missed the names a
 * case-insensitive disk or a reader takes as it: `STRASSE.json`, `équipe` + U+200B, `x.ｃｌé`.
 * docs/API.md promises extra patterns matched folded, as the built-in names are. The pattern is
 * now folded the same way (NFKC, full case folding, marks dropped) and matched against the folded
 * names too; the pattern as written still matches the path as it is.
 */
describe('extraPatterns are folded like the names they are matched against', () => {
  it.each<[string, string[]]>([
    ['**/Straße.json', ['Straße.json', 'STRASSE.json', 'strasse.json', 'x/STRASSE.JSON', 'x/Stra\u00dfe.json', 'x/STRAẞE.json']],
    ['Ｓｅｃｒｅｔｓ/**', ['secrets/key.txt', 'SECRETS/key.txt', 'Ｓｅｃｒｅｔｓ/key.txt', 'ｓｅｃｒｅｔｓ/key.txt']],
    ['équipe/**', ['équipe/a.txt', 'ÉQUIPE/a.txt', '\u00e9quipe\u200b/a.txt', 'ｅ\u0301quipe/a.txt']],
    ['**/*.clé', ['x.clé', 'X.CLÉ', 'dir/x.ｃｌé', 'x.cl\u00e9\u200b']],
    ['**/*.ΚΛΕΙΔΙ', ['x.κλειδι', 'x.ΚΛΕΙΔΙ']],
  ])('%s refuses %j', (pattern, paths) => {
    const policy = createFilePolicy({ extraPatterns: [pattern] });
    for (const path of paths) {
      expect([path, policy.isDatabaseName(path)]).toEqual([path, true]);
      expect([path, policy.refusingPattern?.(path)]).toEqual([path, pattern]);
    }
  });

  it.each<[string, string[]]>([
    ['**/Straße.json', ['Strasse.txt', 'photos/a.json', 'Strase.json']],
    ['Ｓｅｃｒｅｔｓ/**', ['notes/a.txt', 'secret/a.txt']],
    ['**/*.clé', ['x.cle.txt', 'x.clef']],
  ])('%s leaves %j alone', (pattern, paths) => {
    const policy = createFilePolicy({ extraPatterns: [pattern] });
    for (const path of paths) expect([path, policy.isDatabaseName(path)]).toEqual([path, false]);
  });

  it('an accent is dropped on both sides, as for the built-in names: café/** also refuses cafe/ (a file never to sync errs that way)', () => {
    expect(createFilePolicy({ extraPatterns: ['café/**'] }).isDatabaseName('cafe/menu.txt')).toBe(true);
  });

  it('ASCII patterns match as before', () => {
    const policy = createFilePolicy({ extraPatterns: ['**/*.bak', 'secrets/**'] });
    expect(['deep/x.BAK', 'x.bak', 'secrets/token.txt', 'SECRETS/a', 'ｓｅｃｒｅｔｓ/a', 'app.db'].map((path) => policy.isDatabaseName(path))).toEqual([true, true, true, true, true, true]);
    expect(['x.txt', 'notes/secrets.txt'].map((path) => policy.isDatabaseName(path))).toEqual([false, false]);
  });

  it.each(['\uff01*.db', '\u200b!*.db'])('%j, negated once folded, is refused as a negated pattern (it would refuse every other file)', (pattern) => {
    expect(() => createFilePolicy({ extraPatterns: [pattern] })).toThrow(TypeError);
    expect(() => createFilePolicy({ extraPatterns: [pattern] })).toThrow(/a negated pattern/);
  });

  it('a fullwidth pattern folds to what its writer meant: ＊.bak is *.bak', () => {
    const policy = createFilePolicy({ extraPatterns: ['\uff0a.bak'] });
    expect([policy.isDatabaseName('old.bak'), policy.isDatabaseName('old.txt')]).toEqual([true, false]);
  });

  it('a capital ẞ folds as ß does, to ss, in a pattern, a name and a configured database name', () => {
    const policy = createFilePolicy({ extraPatterns: ['**/STRA\u1e9eE.json'], databaseFileNames: ['daten-stra\u00dfe'] });
    expect(['Stra\u00dfe.json', 'strasse.json', 'x/STRA\u1e9eE.json'].map((path) => policy.refusingPattern?.(path))).toEqual(['**/STRA\u1e9eE.json', '**/STRA\u1e9eE.json', '**/STRA\u1e9eE.json']);
    expect(['DATEN-STRA\u1e9eE', 'daten-strasse', 'Daten-Stra\u00dfe'].map((path) => policy.isDatabaseName(path))).toEqual([true, true, true]);
  });
});
