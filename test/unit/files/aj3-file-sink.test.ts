import { fileSink, type SinkHandle } from '../../../lib/files/file-sink';

/** A file handle that keeps every buffer it is given, as it was given. */
function keepingHandle(): { handle: SinkHandle; given: Uint8Array[]; synced: () => boolean } {
  const given: Uint8Array[] = [];
  let synced = false;
  const handle = {
    write: (buffer: Uint8Array, offset = 0, length = buffer.length) => {
      given.push(buffer);
      return Promise.resolve({ bytesWritten: length - offset, buffer });
    },
    writev: (buffers: Uint8Array[]) => {
      given.push(...buffers);
      return Promise.resolve({ bytesWritten: buffers.reduce((sum, buffer) => sum + buffer.length, 0), buffers });
    },
    sync: () => {
      synced = true;
      return Promise.resolve();
    },
  };
  return { handle: handle as unknown as SinkHandle, given, synced: () => synced };
}

/**
 * The snapshot download's sink wrote a batch of chunks (those a stream buffered while a write was
 * under way) by copying them into one buffer first (`Buffer.concat`): every byte of a snapshot
 * copied once more on its way to the disk. The chunks now go to the file as they came.
 */
describe('fileSink', () => {
  it('writes a batch of chunks as they came, not copied into one buffer, then fsyncs', async () => {
    const { handle, given, synced } = keepingHandle();
    const sink = fileSink(handle);
    const chunks = [Buffer.from('first '), Buffer.from('second '), Buffer.from('third')];
    sink.cork();
    for (const chunk of chunks) sink.write(chunk);
    sink.uncork();
    await new Promise<void>((resolve, reject) => sink.end((error?: Error | null) => (error ? reject(error) : resolve())));
    expect(given).toHaveLength(3);
    given.forEach((buffer, index) => expect(buffer).toBe(chunks[index]));
    expect(synced()).toBe(true);
  });
});
