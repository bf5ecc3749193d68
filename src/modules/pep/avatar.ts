// XEP-0084 User Avatar items from a vCard-temp PHOTO (XEP-0054 §PHOTO: TYPE + BINVAL): the data
// item and the metadata item, both with the SHA-1 of the image as ItemID (XEP-0084 §4.1, §4.2),
// and the image size read from its header when the format is one we know (PNG, GIF, JPEG, WebP).
import { createHash } from 'node:crypto';
import { xml, type Element } from '../../xml/element.ts';

export const NS_AVATAR_DATA = 'urn:xmpp:avatar:data';
export const NS_AVATAR_METADATA = 'urn:xmpp:avatar:metadata';
const NS_VCARD_TEMP = 'vcard-temp';

export interface Photo {
  bytes: Buffer;
  type: string;
}

/** The binary PHOTO of a vCard-temp, or null (no PHOTO, only EXTVAL, or empty). */
export function vcardPhoto(vcard: Element): Photo | null {
  const photo = vcard.getChild('PHOTO', NS_VCARD_TEMP) ?? vcard.getChild('PHOTO');
  const binval = photo?.getChildText('BINVAL')?.replace(/\s+/g, '');
  if (!photo || !binval) return null;
  const bytes = Buffer.from(binval, 'base64');
  if (bytes.length === 0) return null;
  const type = photo.getChildText('TYPE')?.trim() || sniffType(bytes) || 'application/octet-stream';
  return { bytes, type };
}

function sniffType(b: Buffer): string | undefined {
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47) return 'image/png';
  if (b.length >= 6 && b.toString('latin1', 0, 3) === 'GIF') return 'image/gif';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8) return 'image/jpeg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

/** Width and height from the image header, or null when the format is unknown or the header short. */
export function imageSize(b: Buffer): { width: number; height: number } | null {
  const type = sniffType(b);
  if (type === 'image/png' && b.length >= 24) return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (type === 'image/gif' && b.length >= 10) return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (type === 'image/jpeg') return jpegSize(b);
  if (type === 'image/webp' && b.length >= 30) {
    const chunk = b.toString('latin1', 12, 16);
    if (chunk === 'VP8X') return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
    if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    if (chunk === 'VP8L' && b.length >= 25) {
      const bits = b.readUInt32LE(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
  }
  return null;
}

/** JPEG: walk the marker segments to the first SOFn frame header (ITU T.81 §B.2.2). */
function jpegSize(b: Buffer): { width: number; height: number } | null {
  let i = 2;
  for (let guard = 0; guard < 10_000 && i + 9 < b.length; guard++) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + b.readUInt16BE(i + 2);
  }
  return null;
}

export interface AvatarItems {
  /** Hex SHA-1 of the image: the ItemID of both items. */
  id: string;
  data: Element;
  metadata: Element;
}

export function avatarItems(photo: Photo): AvatarItems {
  const id = createHash('sha1').update(photo.bytes).digest('hex');
  const size = imageSize(photo.bytes);
  const info = xml('info', { bytes: String(photo.bytes.length), id, type: photo.type, width: size ? String(size.width) : undefined, height: size ? String(size.height) : undefined });
  return {
    id,
    data: xml('data', { xmlns: NS_AVATAR_DATA }, photo.bytes.toString('base64')),
    metadata: xml('metadata', { xmlns: NS_AVATAR_METADATA }, info),
  };
}

/** The ItemID of the avatar the metadata item announces, or null for "no avatar" (§4.2 empty metadata). */
export function announcedAvatarId(metadata: Element | undefined): string | null {
  return metadata?.getChild('info')?.attrs.id ?? null;
}
