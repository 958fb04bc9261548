import path from 'node:path';
import { confirmDeletionsLine, namedServer } from '../../bin/commands/confirm-line';

const HELD = { peer: 'https://10.0.0.3:5000/api/sync', root: 'uploads' };

/**
 * Found by helper ag5 reviewing 418aa92: on Windows the `--ca` repeated in the printed confirm-deletions
 * command is `C:\certs\ca.pem`, and a backslash made it single-quoted (`--ca 'C:\certs\ca.pem'`): pasted
 * into cmd.exe, the quotes are part of the file's name and the command failed with BAD_CA. It is printed
 * with `/` separators, which Node reads on Windows as it reads `\` and no shell (cmd, PowerShell, sh) needs quoted.
 */
describe('ag5: the --ca of a printed confirm-deletions command on Windows', () => {
  it.each([
    ['C:\\certs\\ca.pem', '--ca C:/certs/ca.pem --peer'],
    ['D:\\event\\..\\certs\\ca.pem', '--ca D:/certs/ca.pem --peer'],
    ['\\\\pit-laptop\\share\\ca.pem', '--ca //pit-laptop/share/ca.pem --peer'],
    ['C:\\my certs\\ca.pem', "--ca 'C:/my certs/ca.pem' --peer"],
  ])('%s is printed as %s', (ca, printed) => {
    expect(confirmDeletionsLine(namedServer({ url: 'https://10.0.0.2:5000', ca }, path.win32), HELD)).toContain(printed);
  });

  it('on POSIX, the path is left as it is (a backslash there is part of a name)', () => {
    const line = confirmDeletionsLine(namedServer({ url: 'https://10.0.0.2:5000', ca: '/srv/a\\b.pem' }, path.posix), HELD);
    expect(line).toContain("--ca '/srv/a\\b.pem' --peer");
  });
});
