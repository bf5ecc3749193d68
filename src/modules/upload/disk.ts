// Where upload bytes live under data_dir, and the fsyncs that make a stored file durable before
// the PUT is answered (file data, then the directory entry after the rename).
import { mkdirSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export class UploadDisk {
  constructor(readonly root: string) {
    for (const d of ['upload/tmp', 'upload/files', 'upload/quarantine']) mkdirSync(join(root, d), { recursive: true });
  }
  tmp(id: string): string {
    return join(this.root, 'upload/tmp', `${id}.part`);
  }
  file(id: string): string {
    return join(this.root, 'upload/files', id.slice(0, 2), id);
  }
  quarantine(id: string): string {
    return join(this.root, 'upload/quarantine', id);
  }
  /** A path relative to data_dir (as files_trash stores them), resolved and kept inside it. */
  resolve(rel: string): string | null {
    if (rel.includes('..') || rel.startsWith('/')) return null;
    return join(this.root, rel);
  }
}

export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Rename and make both the data and the new directory entry durable. */
export async function durableMove(from: string, to: string): Promise<void> {
  mkdirSync(dirname(to), { recursive: true });
  await fsyncPath(from);
  await rename(from, to);
  await fsyncPath(dirname(to));
}

export async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}
