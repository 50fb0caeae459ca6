/**
 * Writes that never leave a half-written file behind.
 *
 * @module
 */

/**
 * Writes bytes or text to `path` through a temporary file in the same
 * directory, flushed to disk, then renamed into place (atomic on POSIX file
 * systems): a reader, or a process killed mid-write, sees the old file or the
 * new one, never a mix.
 */
export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true });
    try {
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
      for (let written = 0; written < bytes.length;) {
        written += await file.write(bytes.subarray(written));
      }
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
