/**
 * Writes that never leave a half-written file behind.
 *
 * @module
 */

/**
 * Writes bytes or text to `path` through a temporary file in the same
 * directory, then renames it into place (atomic on POSIX file systems).
 */
export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
