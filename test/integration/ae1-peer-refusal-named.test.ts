import path from 'node:path';
import { syncRoot } from '../../lib/peers/file-exchange';
import { put } from '../helpers/file-roots';
import { openFileLink, type FileLink } from '../helpers/file-link';

/**
 * A file step the peer refuses is reported on this server (its round's
 * `fileErrors`, `/status`, the CLI, the log) in the peer's words, and those
 * speak of the peer: "uploads/ef is a folder here". The step used to be
 * reported as "upload uploads/ef: uploads/ef is a folder here …", which an
 * operator reads as a folder on this server, where `uploads/ef` is a file.
 */
describe('ae1: a file step the peer refused names the peer', () => {
  let sides: FileLink;

  beforeEach(async () => {
    sides = await openFileLink();
  });
  afterEach(() => sides.close());

  it('an upload into a folder of the peer: PATH_CONFLICT, the message says the peer refused it', async () => {
    put(sides.here.uploads ?? '', 'ef', 'a file here');
    put(path.join(sides.there.uploads ?? '', 'ef', 'sub'), 'keep.txt', 'a file of the peer'); // a folder of only empty folders would give way (af4)
    const round = await syncRoot(sides.files, sides.link, 'uploads');
    // (The peer's keep.txt cannot come here either: uploads/ef is a file here. That is a second error, not this one.)
    expect(round.errors).toContainEqual(
      {
        path: 'uploads/ef',
        code: 'PATH_CONFLICT',
        message: `${sides.peer.url} refused the upload of uploads/ef: uploads/ef is a folder here that holds files or links (or a symlink to a folder), not a file; nothing was written (move or delete the folder so that the file of that name can sync)`,
      },
    );
  });
});
