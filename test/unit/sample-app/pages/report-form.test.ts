import { readReportForm } from '../../../../sample-app/pages/report-form';

const GOOD = { team_number: '254', team_name: ' Poofs ', match_label: 'Q1', scout: 'ana', auto_points: '0', teleop_points: '7', notes: '' };

describe('report form reading', () => {
  it('turns good fields into an entry: trimmed text, numbers, empty notes as null', () => {
    const { entry, problems } = readReportForm(GOOD);
    expect(problems).toEqual({});
    expect(entry).toEqual({ teamNumber: 254, teamName: 'Poofs', matchLabel: 'Q1', scout: 'ana', autoPoints: 0, teleopPoints: 7, notes: null });
  });

  it.each<[string, unknown]>([
    ['not an object', 'team_number=254'],
    ['null', null],
    ['fields as arrays', { ...GOOD, scout: ['ana', 'ben'] }],
    ['numbers in exponent form', { ...GOOD, auto_points: '1e3' }],
    ['numbers with spaces inside', { ...GOOD, team_number: '2 54' }],
    ['hex numbers', { ...GOOD, teleop_points: '0x10' }],
  ])('gives no entry for %s', (_name, body) => {
    const { entry, problems } = readReportForm(body);
    expect(entry).toBeUndefined();
    expect(Object.keys(problems).length).toBeGreaterThan(0);
  });

  it('names every problem at once', () => {
    const { problems } = readReportForm({ ...GOOD, team_number: '', scout: '' });
    expect(problems).toEqual({ team_number: 'Team number must be a whole number from 1 to 99999.', scout: 'Scout is required.' });
  });
});
