// Small file helpers shared by the PKI and kubeconfig writers.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface WriteOptions {
  /**
   * fsync the file before renaming it into place (default true). Callers writing several files
   * into one directory can pass false and call syncDir once afterwards.
   */
  sync?: boolean;
}

/**
 * Writes `data` to `path` atomically: a temporary file in the same directory is written,
 * (by default) flushed and renamed over the target, so readers see either the old or the new
 * content. Parent directories are created (mode 0700) when missing.
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o600, options: WriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let renamed = false;
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data, 'utf8');
      // The umask may have cleared bits we asked for; make the mode exact.
      await fh.chmod(mode);
      if (options.sync !== false) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    renamed = true;
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
}

/** fsyncs a directory, making renames into it durable (best effort: not every platform allows it). */
export async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // e.g. Windows cannot open directories; nothing more we can do.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** Reads a UTF-8 file, or returns undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
