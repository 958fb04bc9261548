import { writeAll, writeAllChunks, type VectorHandle, type WritableHandle } from '../../../lib/files/write-all';

/** A file handle whose each write takes at most `most` bytes (a disk filling up: a short write that succeeds), then none once `room` is used. */
function shortWriter(most: number, room = Infinity): { handle: WritableHandle; file: number[]; calls: (number | null)[] } {
  const file: number[] = [];
  const calls: (number | null)[] = [];
  let at = 0;
  const write = (buffer: Uint8Array, offset = 0, length = buffer.length, position: number | null = null): Promise<{ bytesWritten: number; buffer: Uint8Array }> => {
    calls.push(position);
    const start = position ?? at;
    const bytesWritten = Math.max(0, Math.min(length, most, room - start));
    for (let i = 0; i < bytesWritten; i += 1) file[start + i] = buffer[offset + i] ?? -1;
    if (position === null) at += bytesWritten;
    return Promise.resolve({ bytesWritten, buffer });
  };
  return { handle: { write } as unknown as WritableHandle, file, calls };
}

describe('writeAll', () => {
  const bytes = Uint8Array.from({ length: 10 }, (_, i) => i + 1);

  it('writes on after short writes, at the file position', async () => {
    const { handle, file, calls } = shortWriter(3);
    await writeAll(handle, bytes);
    expect(file).toEqual([...bytes]);
    expect(calls).toEqual([null, null, null, null]);
  });

  it('writes on after short writes at a given position, each part where it belongs', async () => {
    const { handle, file, calls } = shortWriter(4);
    await writeAll(handle, bytes, 5);
    expect(file.slice(5)).toEqual([...bytes]);
    expect(calls).toEqual([5, 9, 13]);
  });

  it('fails with ENOSPC when a write makes no progress, rather than leaving the file short', async () => {
    const { handle, file } = shortWriter(4, 6);
    await expect(writeAll(handle, bytes)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(file).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

/** A file handle whose each writev takes at most `most` bytes in all (a short write that succeeds), then none once `room` is used. */
function shortVectorWriter(most: number, room = Infinity): { handle: VectorHandle; file: number[]; calls: number[][] } {
  const file: number[] = [];
  const calls: number[][] = [];
  const writev = (buffers: readonly Uint8Array[]): Promise<{ bytesWritten: number; buffers: readonly Uint8Array[] }> => {
    calls.push(buffers.map((buffer) => buffer.length));
    const bytes = buffers.flatMap((buffer) => [...buffer]).slice(0, Math.max(0, Math.min(most, room - file.length)));
    file.push(...bytes);
    return Promise.resolve({ bytesWritten: bytes.length, buffers });
  };
  return { handle: { writev } as unknown as VectorHandle, file, calls };
}

describe('writeAllChunks', () => {
  const chunks = [Uint8Array.of(1, 2, 3), Uint8Array.of(), Uint8Array.of(4, 5), Uint8Array.of(6, 7, 8, 9, 10)];

  it('writes every chunk in one call when the system takes them all', async () => {
    const { handle, file, calls } = shortVectorWriter(Infinity);
    await writeAllChunks(handle, chunks);
    expect(file).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(calls).toEqual([[3, 2, 5]]);
  });

  it('writes on after short writes from the first byte not written, inside a chunk or between two', async () => {
    const { handle, file, calls } = shortVectorWriter(4);
    await writeAllChunks(handle, chunks);
    expect(file).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(calls).toEqual([[3, 2, 5], [1, 5], [2]]);
  });

  it('fails with ENOSPC when a write makes no progress, rather than leaving the file short, naming the file', async () => {
    const { handle, file } = shortVectorWriter(4, 6);
    await expect(writeAllChunks(handle, chunks, '/data/new.db.tmp')).rejects.toMatchObject({ code: 'ENOSPC', path: '/data/new.db.tmp' });
    expect(file).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
