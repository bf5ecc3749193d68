// A few magic numbers, enough to tell media from executables, scripts and archives: a file
// announced as an image that starts with "MZ" is not shown to anyone. Pure.

export type Kind = 'image' | 'audio' | 'video' | 'document' | 'archive' | 'executable' | 'script' | 'unknown';

const MAGIC: Array<[number[] | string, string, Kind]> = [
  [[0x89, 0x50, 0x4e, 0x47], 'image/png', 'image'],
  [[0xff, 0xd8, 0xff], 'image/jpeg', 'image'],
  ['GIF8', 'image/gif', 'image'],
  ['%PDF-', 'application/pdf', 'document'],
  [[0x50, 0x4b, 0x03, 0x04], 'application/zip', 'archive'],
  [[0x1f, 0x8b], 'application/gzip', 'archive'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 'application/x-7z-compressed', 'archive'],
  ['Rar!', 'application/vnd.rar', 'archive'],
  ['MZ', 'application/x-msdownload', 'executable'],
  [[0x7f, 0x45, 0x4c, 0x46], 'application/x-executable', 'executable'],
  [[0xcf, 0xfa, 0xed, 0xfe], 'application/x-mach-binary', 'executable'],
  ['#!', 'text/x-shellscript', 'script'],
  ['<?php', 'application/x-httpd-php', 'script'],
  ['OggS', 'audio/ogg', 'audio'],
  ['ID3', 'audio/mpeg', 'audio'],
  ['fLaC', 'audio/flac', 'audio'],
];

export function sniff(head: Buffer): { type: string; kind: Kind } | null {
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF') {
    const sub = head.toString('latin1', 8, 12);
    if (sub === 'WEBP') return { type: 'image/webp', kind: 'image' };
    if (sub === 'WAVE') return { type: 'audio/wav', kind: 'audio' };
  }
  if (head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp') return { type: 'video/mp4', kind: 'video' };
  for (const [magic, type, kind] of MAGIC) {
    const bytes = typeof magic === 'string' ? Buffer.from(magic, 'latin1') : Buffer.from(magic);
    if (head.length >= bytes.length && head.subarray(0, bytes.length).equals(bytes)) return { type, kind };
  }
  return null;
}

export function kindOfType(type: string | undefined): Kind {
  const t = (type ?? '').split(';')[0].trim().toLowerCase();
  if (t.startsWith('image/')) return 'image';
  if (t.startsWith('audio/')) return 'audio';
  if (t.startsWith('video/')) return 'video';
  return 'unknown';
}

/** Declared as media but the bytes say executable, script or archive. */
export function isDangerousMismatch(declared: string | undefined, sniffed: Kind | undefined): boolean {
  const d = kindOfType(declared);
  return (d === 'image' || d === 'audio' || d === 'video') && (sniffed === 'executable' || sniffed === 'script' || sniffed === 'archive');
}
