import { formChanged, ReformMarks } from '../../../lib/data/reform-marks';

/**
 * The fold's reform marks (op 5): a mark is found again by the next log row of its key however
 * that row spells the key (SQLite holds `1` and `1.0`, `0` and `-0.0`, the INTEGER and the REAL
 * -2^63 as one key), and `formChanged` tells a key stored in another form than the one logged.
 */
const MIN_INT = -(2n ** 63n);
const MIN_REAL = -9223372036854775808;
const UNSURE = 1n << 62n;

describe('reform marks', () => {
  it.each<[string, unknown, unknown]>([
    ['INTEGER 1 and REAL 1.0', 1n, 1],
    ['REAL 0.0 and -0.0', 0, -0],
    ['INTEGER 0 and REAL -0.0', 0n, -0],
    ['the INTEGER and the REAL -2^63', MIN_INT, MIN_REAL],
    ['one composite metadata key', "1,'j'", "1,'j'"],
  ])('a mark noted under %s is taken by the other spelling, once', (_name, noted, taken) => {
    const marks = new ReformMarks();
    marks.note(3, noted as bigint, 0n);
    expect(marks.take(4, taken as bigint)).toBeUndefined();
    expect(marks.take(3, taken as bigint)).toEqual({ pk: noted, mask: 0n });
    expect(marks.size).toBe(0);
    expect(marks.take(3, taken as bigint)).toBeUndefined();
  });

  it.each<[string, unknown, unknown]>([
    ['1.5 and 1', 1.5, 1n],
    ['text and number', '1', 1n],
    ['blob and text', Buffer.from('a'), 'a'],
    ['2^63 (REAL) and 2^63 - 1', 2 ** 63, 2n ** 63n - 1n],
  ])('%s are other keys', (_name, noted, taken) => {
    const marks = new ReformMarks();
    marks.note(3, noted as bigint, 0n);
    expect(marks.take(3, taken as bigint)).toBeUndefined();
  });

  it.each<[string, unknown, bigint, unknown[], boolean]>([
    ['INTEGER then REAL', 1n, 0n, [1], true],
    ['REAL then INTEGER', 1, 1n, [1n], true],
    ['same class', 1n, 0n, [1n], false],
    ['a composite key, second part now REAL', "'a',1", 0n, ['a', 1], true],
    ['a composite key, same classes', "'a',1.5", 2n, ['a', 1.5], false],
    ['one-column REAL zero, same sign', 0, 1n | UNSURE, [0], false],
    ['one-column REAL zero, other sign', 0, 1n | UNSURE, [-0], true],
    ['one-column REAL -0.0, other sign', -0, 1n | UNSURE, [0], true],
    ['composite REAL zero: the old sign is unknown', '0', 1n | UNSURE, [0], true],
    ['the row is gone', 1n, 0n, [], false],
  ])('formChanged: %s', (_name, pk, mask, stored, changed) => {
    expect(formChanged({ pk: pk as bigint, mask }, stored.length === 0 ? undefined : (stored as bigint[]))).toBe(changed);
  });

  it('formChanged: a part past the mask’s bits counts as changed when it is REAL now', () => {
    const key = Array.from({ length: 63 }, () => 1n);
    expect(formChanged({ pk: 'k', mask: 0n }, key)).toBe(false);
    expect(formChanged({ pk: 'k', mask: UNSURE }, [...key.slice(0, 62), 1])).toBe(true);
    expect(formChanged({ pk: 'k', mask: 0n }, [...key.slice(0, 62), 1])).toBe(true);
  });
});
