import { diskFailureAtStart } from '../../../sample-app/data-folders';
import { pastedWord, restoreCommand } from '../../../sample-app/database';

/**
 * The words a Windows program gets from its command line, as the Microsoft C runtime (and Node on Windows)
 * splits it: blanks part words outside double quotes; 2n backslashes before a `"` are n and the quote
 * opens or closes; 2n+1 are n and a literal `"`; other backslashes are themselves.
 */
function windowsArgv(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quoted = false;
  let started = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line.charAt(i);
    if (c === '\\') {
      let n = 0;
      while (line.charAt(i + n) === '\\') n += 1;
      if (line.charAt(i + n) === '"') {
        word += '\\'.repeat(Math.floor(n / 2));
        if (n % 2 === 1) word += '"';
        else quoted = !quoted;
        i += n;
      } else {
        word += '\\'.repeat(n);
        i += n - 1;
      }
      started = true;
    } else if (c === '"') {
      quoted = !quoted;
      started = true;
    } else if ((c === ' ' || c === '\t') && !quoted) {
      if (started) words.push(word);
      word = '';
      started = false;
    } else {
      word += c;
      started = true;
    }
  }
  if (started) words.push(word);
  return words;
}

/** What cmd.exe acts on before the program runs: `& | < > ^ ( )` outside double quotes (and `'`, which it passes on as part of the word). */
function cmdSpecialOutsideQuotes(line: string): string[] {
  return line
    .split('"')
    .filter((_, index) => index % 2 === 0)
    .flatMap((part) => [...part].filter((c) => '&|<>^()\''.includes(c)));
}

// Found by an earlier careless-operator tester, fixed by helper ah3.
describe('ah3: the sample app says a write refused at start honestly, and its restore fix pastes on Windows', () => {
  it.each([
    ['SQLITE_IOERR_WRITE', 'disk I/O error'],
    ['EIO', 'EIO: i/o error, write'],
  ])('%s is not blamed on the disk space alone: the code, every likely cause and the way out', (code, message) => {
    const said = diskFailureAtStart(Object.assign(new Error(message), { code }), '/srv/data')?.message ?? '';
    expect(said).toContain(`DATA_DIR=/srv/data: the start could not write its files there (${code}: ${message}); the system did not say why`);
    expect(said).toMatch(/disk may be full .*not be writable by this user \(permissions.*device may be failing/);
    expect(said).not.toContain('the disk is full,');
  });

  it.each(['SQLITE_IOERR_SHMMAP', 'SQLITE_IOERR_SHMOPEN', 'SQLITE_IOERR_LOCK', 'SQLITE_IOERR_READ', 'SQLITE_IOERR'])('%s (a network share, a mount SQLite cannot lock or map) names DATA_DIR, the code and a local disk', (code) => {
    const said = diskFailureAtStart(Object.assign(new Error('disk I/O error'), { code }), '/mnt/nas/data')?.message ?? '';
    expect(said).toBe(
      `DATA_DIR=/mnt/nas/data: SQLite could not use its files there (${code}: disk I/O error): a folder on a network share (NFS, SMB) or a mount it cannot lock or map its WAL index on (SQLITE_IOERR_LOCK, _SHMOPEN, _SHMMAP), or a failing device (the system log, dmesg, says so); point DATA_DIR at a folder on a local disk`,
    );
  });

  it.each([
    ['C:\\Event Data\\instance\\app.db', '"C:\\Event Data\\instance\\app.db"'],
    ["C:\\Users\\pit crew's laptop\\data\\instance\\app.db", '"C:\\Users\\pit crew\'s laptop\\data\\instance\\app.db"'],
    ['D:\\scouting (2026) & finals\\instance\\app.db', '"D:\\scouting (2026) & finals\\instance\\app.db"'],
    ['C:\\data\\instance\\app.db', 'C:\\data\\instance\\app.db'],
  ])('on Windows %j is one word for cmd.exe: in double quotes when it needs them, never in single quotes', (file, word) => {
    const line = restoreCommand(file, 'win32');
    expect(line).toBe(`npx express-sqlite-sync restore --from <backup> --db ${word} --force`);
    const filled = line.replace('<backup>', '"C:\\backups\\before finals.db"');
    expect(cmdSpecialOutsideQuotes(filled)).toEqual([]);
    expect(windowsArgv(filled)).toEqual(['npx', 'express-sqlite-sync', 'restore', '--from', 'C:\\backups\\before finals.db', '--db', file, '--force']);
  });

  it('a folder ending in a backslash keeps its quote closed for the program reading it', () => {
    expect(windowsArgv(`x ${pastedWord('C:\\Event Data\\', 'win32')} y`)).toEqual(['x', 'C:\\Event Data\\', 'y']);
  });

  it('elsewhere the path is quoted for sh, as before', () => {
    expect(restoreCommand("/srv/pit crew's/instance/app.db", 'linux')).toBe("npx express-sqlite-sync restore --from <backup> --db '/srv/pit crew'\\''s/instance/app.db' --force");
    expect(restoreCommand('/srv/data/instance/app.db', 'darwin')).toBe('npx express-sqlite-sync restore --from <backup> --db /srv/data/instance/app.db --force');
  });
});
