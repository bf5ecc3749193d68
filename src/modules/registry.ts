// Every built-in module, in start order (dependencies first).
import type { Module } from './types.ts';
import disco from './disco/index.ts';
import roster from './roster/index.ts';
import ping from './ping/index.ts';
import version from './version/index.ts';
import time from './time/index.ts';
import hostMeta from './host-meta/index.ts';
import mam from './mam/index.ts';
import caps from './caps/index.ts';
import pep from './pep/index.ts';
import blocking from './blocking/index.ts';
import offline from './offline/index.ts';
import privateXml from './private/index.ts';
import vcard from './vcard/index.ts';
import sm from './sm/index.ts';
import csi from './csi/index.ts';
import push from './push/index.ts';
import serverPing from './server-ping/index.ts';
import carbons from './carbons/index.ts';
import register from './register/index.ts';
import adhoc from './adhoc/index.ts';
import adminCommands from './admin-commands/index.ts';
import contactInfo from './contact-info/index.ts';
import externalServices from './external-services/index.ts';
import adminWeb from './admin-web/index.ts';
import upload from './upload/index.ts';
import filePull from './file-pull/index.ts';
import emoji from './emoji/index.ts';
import membership from './membership/index.ts';
import muc from './muc/index.ts';
import cluster from '../cluster/module.ts';
import payment from './payment/index.ts';
import mucPam from './muc/newmuc/pam.ts';

// cluster first: its registry is read before other modules route anything, and it stops last.
export const builtinModules: Module[] = [cluster, disco, roster, ping, version, time, hostMeta, mam, caps, pep, blocking, offline, privateXml, vcard, sm, csi, push, serverPing, carbons, register, adhoc, adminCommands, contactInfo, externalServices, adminWeb, upload, filePull, emoji, membership, muc, mucPam, payment] as Module[];
