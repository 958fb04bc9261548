import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../../sample-app/config';
import { tempDir } from '../../helpers/temp';

const TOKEN = 'the-fleet-token-0123456789abcdef';

/**
 * On Windows, `echo <token> > data\.sync-token` in Windows PowerShell (5.1) writes the file as UTF-16 with a byte
 * order mark, and so does Notepad's "Unicode" encoding. The start refused it as a token holding "a space, a
 * control character or a character outside ASCII", though the operator sees only ASCII in it. It names UTF-16
 * and the fix now, never echoing the token.
 */
describe('sample app: a DATA_DIR/.sync-token saved as UTF-16', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-an3-token-utf16-');
  });
  afterEach(() => temp.cleanup());

  const swapped = (bytes: Buffer): Buffer => Buffer.from(bytes).swap16();
  it.each([
    ['UTF-16LE (PowerShell 5.1 `>`, Notepad "Unicode")', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${TOKEN}\r\n`, 'utf16le')])],
    ['UTF-16BE', swapped(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${TOKEN}\r\n`, 'utf16le')]))],
  ])('%s: the start stops naming the encoding and the fix', (_label, bytes) => {
    const file = path.join(temp.dir, '.sync-token');
    writeFileSync(file, bytes);
    let message = '';
    try {
      readSampleConfig({ DATA_DIR: temp.dir });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      `DATA_DIR/.sync-token (${file}) is saved as UTF-16 (as Windows PowerShell's \`>\` and Notepad's "Unicode" save a file): save it as UTF-8 or ASCII (PowerShell: \`Set-Content -Encoding ascii\`), or set SYNC_TOKEN instead`,
    );
    expect(message).not.toContain(TOKEN);
  });
});
