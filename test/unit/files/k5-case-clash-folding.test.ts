import { caseClashes } from '../../../lib/files/case-clashes';

/**
 * caseClashes compared names with toLowerCase() alone. A case-insensitive disk folds more than
 * that: `Straße.json` and `STRASSE.json` (full case folding: ß is ss), `ΟΔΟΣ`
 * and `οδοσ` (toLowerCase gives a final ς to the first, σ to the second; NTFS upper-cases
 * both to Σ), a name written in NFD and the same in NFC (a normalising disk holds one). Such
 * pairs were not reported, and a Mac or Windows server overwrote one with the other unwarned.
 * Names are now compared in NFC, then lower-, upper- and lower-cased (full case folding, as the
 * database guard compares names, and the dotless ı with i); accents and compatibility forms
 * (fullwidth) still make another name, as on those disks.
 */
describe('caseClashes: names a case-insensitive disk folds to one', () => {
  it.each<[string, string[], string[][]]>([
    ['ß and SS', ['Straße.json', 'STRASSE.json'], [['STRASSE.json', 'Straße.json']]],
    ['ß, ẞ and ss', ['a/maße', 'a/MAẞE', 'a/masse'], [['a/MAẞE', 'a/masse', 'a/maße']]],
    ['a final sigma', ['ΟΔΟΣ', 'οδοσ'], [['ΟΔΟΣ', 'οδοσ']]],
    ['a final sigma, folders', ['notes/ΟΔΟΣ/a.txt', 'notes/οδοσ/b.txt'], [['notes/ΟΔΟΣ', 'notes/οδοσ']]],
    ['NFC and NFD', ['caf\u00e9.txt', 'cafe\u0301.txt'], [['cafe\u0301.txt', 'caf\u00e9.txt']]],
    ['NFD against upper case NFC', ['CAF\u00c9', 'cafe\u0301'], [['CAF\u00c9', 'cafe\u0301']]],
    ['the Kelvin sign and K', ['\u212aey.txt', 'key.txt'], [['key.txt', '\u212aey.txt']]],
    ['folders', ['Straße/a.txt', 'STRASSE/b.txt'], [['STRASSE', 'Straße']]],
    ['a ligature and its letters (full case folding: ﬁ is fi)', ['file.txt', '\ufb01le.txt'], [['file.txt', '\ufb01le.txt']]],
    ['a dotless i and i (upper-cased to I)', ['kit.txt', 'k\u0131t.txt'], [['kit.txt', 'k\u0131t.txt']]],
  ])('%s are one name', (_label, paths, groups) => {
    expect(caseClashes([...paths].sort())).toEqual(groups);
  });

  it.each<[string, string[]]>([
    ['an accent', ['cafe.txt', 'café.txt']],
    ['a fullwidth letter', ['a.txt', '\uff41.txt']],
    ['a dotted capital I against i', ['\u0130.txt', 'i.txt']],
    ['different letters', ['a.txt', 'b.txt']],
  ])('%s still makes another name', (_label, paths) => {
    expect(caseClashes([...paths].sort())).toEqual([]);
  });
});
