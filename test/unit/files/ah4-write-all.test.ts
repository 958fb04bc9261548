import { writeAll, type WritableHandle } from '../../../lib/files/write-all';

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
