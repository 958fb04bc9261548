import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import { readSampleConfig } from '../../sample-app/config';
import { startSampleApp } from '../../sample-app/server';
import { expectContinue } from '../helpers/h4-expect-continue';
import { multipart } from '../helpers/multipart';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/** The sample app's server (`npm start`) answers a refused upload sent with `Expect: 100-continue` before asking for its body. */
describe('the sample app with Expect: 100-continue', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => (temp = tempDir('ess-h4-sample-continue-')));
  afterEach(() => temp.cleanup());

  it('a database upload is 403 with no 100 Continue; a photo upload still gets it', async () => {
    const running = await startSampleApp(readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), PORT: '0', HOST: '127.0.0.1', SYNC_TOKEN: TEST_TOKEN }), silentLogger);
    try {
      const port = Number(new URL(running.url).port);
      const file = multipart([{ name: 'file', filename: 'notes.txt', content: 'plain text' }]);
      const refused = await expectContinue(port, '/api/sync/files/upload?path=instance/app.db', TEST_TOKEN, file.body, file.contentType);
      expect(refused.first).toBe(403);
      expect(refused.answer).not.toContain('100 Continue');
      const accepted = await expectContinue(port, '/api/sync/files/upload?path=uploads/notes.txt', TEST_TOKEN, file.body, file.contentType);
      expect([accepted.first, accepted.final]).toEqual([100, 201]);
    } finally {
      await running.close();
    }
  });
});
