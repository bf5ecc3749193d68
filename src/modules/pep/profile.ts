// Profile data kept in PEP:
//   - XEP-0292 vCard4: the node urn:xmpp:vcard4 (item 'current') of XEP-0292 0.12, plus the IQ form
//     of earlier versions (<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'/> get/set at the bare
//     JID) that clients still use, answered from that node as Prosody's mod_vcard4 does;
//   - XEP-0084 avatars mirrored from the vCard-temp PHOTO whenever the vcard module stores a vCard.
import type { Jid } from '../../jid/index.ts';
import type { IqRequest } from '../../router/iq.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { announcedAvatarId, avatarItems, NS_AVATAR_DATA, NS_AVATAR_METADATA, vcardPhoto } from './avatar.ts';
import { detach } from './payload.ts';
import type { PepServiceImpl } from './service.ts';

export const NS_VCARD4 = 'urn:ietf:params:xml:ns:vcard-4.0';
export const VCARD4_NODE = 'urn:xmpp:vcard4';
const VCARD4_ITEM = 'current';

/** vCard-temp is world-readable (XEP-0054), so what is derived from it is too. */
const PUBLIC = new Map([['pubsub#access_model', ['open']]]);

export function vcard4Get(service: PepServiceImpl, accountExists: (owner: Jid) => Promise<boolean>) {
  return async (req: IqRequest): Promise<Element> => {
    const owner = req.to.bare();
    if (!(await accountExists(owner))) throw new StanzaError('service-unavailable');
    const empty = xml('vcard', { xmlns: NS_VCARD4 });
    if (!(await service.node(owner, VCARD4_NODE))) return empty;
    const [item] = await service.items(owner, VCARD4_NODE, req.from, { ids: [VCARD4_ITEM] });
    return item?.payload ?? empty;
  };
}

export function vcard4Set(service: PepServiceImpl) {
  return async (req: IqRequest): Promise<void> => {
    if (!req.from.bare().equals(req.to.bare())) throw new StanzaError('forbidden', 'Only the account owner may set its vCard');
    if (!req.payload.is('vcard', NS_VCARD4)) throw new StanzaError('bad-request', 'Expected <vcard/>');
    await service.publish(req.to.bare(), { node: VCARD4_NODE, itemId: VCARD4_ITEM, payload: detach(req.payload), publisher: req.from, createWith: PUBLIC });
  };
}

/**
 * Keep XEP-0084 in step with a stored vCard-temp: publish data then metadata when the PHOTO is new,
 * an empty <metadata/> (XEP-0084 §4.2) when the PHOTO went away. Nothing when they already agree,
 * so a mirror in the other direction cannot loop.
 */
export async function avatarFromVcard(service: PepServiceImpl, owner: Jid, vcard: Element | null): Promise<void> {
  let currentId: string | null = null;
  if (await service.node(owner, NS_AVATAR_METADATA)) {
    const [last] = await service.items(owner, NS_AVATAR_METADATA, owner, { last: 1 });
    currentId = announcedAvatarId(last?.payload);
  }
  const photo = vcard ? vcardPhoto(vcard) : null;
  if (!photo) {
    if (currentId !== null) {
      await service.publish(owner, { node: NS_AVATAR_METADATA, payload: xml('metadata', { xmlns: NS_AVATAR_METADATA }), publisher: owner, createWith: PUBLIC, sync: true });
    }
    return;
  }
  const items = avatarItems(photo);
  if (items.id === currentId) return;
  // XEP-0084 §4.1: the data is in place before the metadata announces it.
  await service.publish(owner, { node: NS_AVATAR_DATA, itemId: items.id, payload: items.data, publisher: owner, createWith: PUBLIC, sync: true });
  await service.publish(owner, { node: NS_AVATAR_METADATA, itemId: items.id, payload: items.metadata, publisher: owner, createWith: PUBLIC, sync: true });
}
