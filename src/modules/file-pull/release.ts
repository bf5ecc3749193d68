// Moving a file between the quarantine and the served area durably (data, then directory entry).
import { mkdirSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

async function fsync(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function moveDurably(from: string, to: string): Promise<void> {
  mkdirSync(dirname(to), { recursive: true });
  await fsync(from);
  await rename(from, to);
  await fsync(dirname(to));
}
