import { formatTable } from '../../../../sample-app/demo/table';

describe('demo table', () => {
  it('pads columns to the widest cell and rules the header', () => {
    expect(formatTable([['what', 'A'], ['teams', '4 rows'], ['x', '']])).toBe(['what   A', '-----  ------', 'teams  4 rows', 'x'].join('\n'));
  });

  it('is empty without rows', () => {
    expect(formatTable([])).toBe('');
  });
});
