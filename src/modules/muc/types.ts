// The room model's vocabulary (XEP-0045 §5), independent of any wire format: roles, affiliations,
// their ranks, and a room's configuration. Protocol adapters (XEP-0045 now, New MUC later) map
// these to and from stanzas.

/** §5.2 affiliations, long-lived and per bare JID. */
export type Affiliation = 'owner' | 'admin' | 'member' | 'none' | 'outcast';
/** §5.1 roles, per occupancy. */
export type Role = 'moderator' | 'participant' | 'visitor' | 'none';

export const AFFILIATIONS: readonly Affiliation[] = ['owner', 'admin', 'member', 'none', 'outcast'];
export const ROLES: readonly Role[] = ['moderator', 'participant', 'visitor', 'none'];

/** Sort rank of an entry (gc3-participants.md §Order): owner 0 … outcast 4; lower ranks first. */
export const AFFILIATION_RANK: Readonly<Record<Affiliation, number>> = { owner: 0, admin: 1, member: 2, none: 3, outcast: 4 };

/** §5.2.1: the affiliation hierarchy for "at or above" checks (outcast lowest). */
export const AFFILIATION_POWER: Readonly<Record<Affiliation, number>> = { outcast: 0, none: 1, member: 2, admin: 3, owner: 4 };

export const isAffiliation = (v: string | undefined): v is Affiliation => v !== undefined && (AFFILIATIONS as readonly string[]).includes(v);
export const isRole = (v: string | undefined): v is Role => v !== undefined && (ROLES as readonly string[]).includes(v);

/** Who may send private messages (muc#roomconfig_allowpm). */
export type AllowPm = 'anyone' | 'participants' | 'moderators' | 'none';
/** Who may see real JIDs (muc#roomconfig_whois): semi-anonymous ('moderators') or non-anonymous ('anyone'). */
export type Whois = 'moderators' | 'anyone';

/** A room's configuration (XEP-0045 §10.2 and the muc#roomconfig registry), as plain values. */
export interface RoomConfig {
  name: string;
  description: string;
  lang: string;
  persistent: boolean;
  public: boolean;
  membersOnly: boolean;
  moderated: boolean;
  passwordProtected: boolean;
  password: string;
  /** Most occupants (owners and admins are not counted against it); 0 means no room limit (the service limit applies). */
  maxUsers: number;
  whois: Whois;
  changeSubject: boolean;
  allowInvites: boolean;
  allowPm: AllowPm;
  /** muc#maxhistoryfetch: most history messages sent on join. */
  maxHistoryFetch: number;
  /** Archive the room (XEP-0313 on the room JID, history from the archive); shown as muc#roomconfig_enablelogging. */
  archive: boolean;
  /** §7.13: visitors may ask moderators for voice. */
  allowVoiceRequests: boolean;
  /** gc3-participants.md §1: the participant list shows absent affiliated users to non-admins too. */
  showAbsent: boolean;
}

/** Parley's defaults (muc.md §3): public, open, semi-anonymous, unmoderated, temporary, archived, PMs from anyone. */
export function defaultConfig(o: { maxUsers: number; maxHistoryFetch: number }): RoomConfig {
  return {
    name: '',
    description: '',
    lang: '',
    persistent: false,
    public: true,
    membersOnly: false,
    moderated: false,
    passwordProtected: false,
    password: '',
    maxUsers: o.maxUsers,
    whois: 'moderators',
    changeSubject: false,
    allowInvites: false,
    allowPm: 'anyone',
    maxHistoryFetch: o.maxHistoryFetch,
    archive: true,
    allowVoiceRequests: true,
    showAbsent: true,
  };
}

/** The current subject (§8.1): text, who set it (occupant nick, or none when set by the service), when. */
export interface Subject {
  text: string;
  nick: string | null;
  stamp: number;
  /** The setter's real bare JID (for its occupant-id); null when the service set it. */
  byJid: string | null;
}
