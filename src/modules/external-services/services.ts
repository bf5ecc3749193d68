// XEP-0215 <service/> elements from the configured services, with credentials when the service
// has static ones or a shared secret (then minted per request, see credentials.ts).
import { xml, type Element } from '../../xml/element.ts';
import { turnCredentials } from './credentials.ts';

export interface ExternalService {
  type: string;
  host: string;
  port?: number;
  transport?: 'udp' | 'tcp';
  name?: string;
  username?: string;
  password?: string;
  secret?: string;
  ttl: number;
  restricted?: boolean;
}

/** Whether the service needs credentials (XEP-0215 §3 'restricted'). */
export function isRestricted(s: ExternalService): boolean {
  return s.restricted ?? (s.secret !== undefined || s.username !== undefined);
}

/** The <service/> for `user` (a bare JID); credentials included when available. */
export function serviceElement(s: ExternalService, user: string, withCredentials: boolean, nowMs = Date.now()): Element {
  const creds = !withCredentials ? undefined
    : s.secret !== undefined ? turnCredentials(s.secret, user, s.ttl, nowMs)
    : s.username !== undefined ? { username: s.username, password: s.password ?? '', expires: undefined }
    : undefined;
  return xml('service', {
    type: s.type,
    host: s.host,
    port: s.port !== undefined ? String(s.port) : undefined,
    transport: s.transport,
    name: s.name,
    restricted: isRestricted(s) ? '1' : undefined,
    username: creds?.username,
    password: creds?.password,
    expires: creds?.expires,
  });
}

/** XEP-0215 §3.3: services matching a <credentials/> request's host, type and optional port. */
export function matching(services: ExternalService[], host: string | undefined, type: string | undefined, port: string | undefined): ExternalService[] {
  return services.filter((s) => s.host === host && s.type === type && (port === undefined || String(s.port) === port));
}
