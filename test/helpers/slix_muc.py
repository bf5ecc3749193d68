#!/usr/bin/python3
"""slixmpp 1.8.3 with its XEP-0045 plugin (xep_0045) as a scripted MUC peer for Parley's
end-to-end tests. Logs in (PLAIN over STARTTLS), then reads one JSON command per line on stdin and
prints one JSON event per line on stdout (test/helpers/slix-muc.ts drives it).

Commands ({"op": ..., "tag": ...}; the answer echoes the tag as {"event": "result", ...} or
{"event": "error", "condition": ...}):
  join {room, nick, maxstanzas?, password?}   join_muc_wait -> self codes/item/occupant_id, occupants, history, subject
  create {room, nick}                          join, then get_room_config and submit it as is (instant room with defaults)
  configure {room, fields}                     get_room_config, set fields, set_room_config
  message {room, body, id?}                    groupchat message
  set_affiliation {room, jid, affiliation, nick?}
  affiliations {room, affiliation}             get_affiliation_list -> jids
  set_role {room, nick, role, reason?}
  invite {room, jid, reason?}
  leave {room, nick}
  destroy {room, reason?, altroom?}
  quit
Unsolicited events: session_start, groupchat {room, nick, body, id, stanza_id, occupant_id},
muc_presence {from, type, codes, affiliation, role, occupant_id}, invite {room, from, reason, password}.
"""
import asyncio

from slixmpp.exceptions import IqError, IqTimeout, PresenceError

import slix_common
from slix_common import arg_parser, emit, make_peer, parse_args, run, spawn

OCCUPANT_ID = "urn:xmpp:occupant-id:0"
SID = "urn:xmpp:sid:0"
MUC_USER = "http://jabber.org/protocol/muc#user"


def occupant_id(stanza):
    el = stanza.xml.find("{%s}occupant-id" % OCCUPANT_ID)
    return el.get("id") if el is not None else None


def stanza_id(stanza, by):
    for el in stanza.xml.findall("{%s}stanza-id" % SID):
        if el.get("by") == by:
            return el.get("id")
    return None


def codes(pres):
    x = pres.xml.find("{%s}x" % MUC_USER)
    return sorted(s.get("code") for s in x.findall("{%s}status" % MUC_USER)) if x is not None else []


def describe_presence(pres):
    return {"from": str(pres["from"]), "type": pres["type"], "codes": codes(pres),
            "affiliation": pres["muc"]["affiliation"], "role": pres["muc"]["role"], "nick": pres["muc"]["nick"],
            "occupant_id": occupant_id(pres)}


class Peer(slix_common.Peer):
    def __init__(self, args):
        super().__init__(args, plugins=("xep_0030", "xep_0004", "xep_0045", "xep_0203"))
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("groupchat_message", self.on_groupchat)
        self.add_event_handler("groupchat_presence", lambda p: emit("muc_presence", **describe_presence(p)))
        self.add_event_handler("groupchat_invite", self.on_invite)
        self.finish_on("failed_all_auth", 2, "failed_auth")
        self.finish_on_stream_end()

    async def on_session_start(self, _event):
        # Available, as MUC clients are: messages to the bare JID (invitations) need an available resource (RFC 6121 §8.5.2).
        self.send_presence()
        emit("session_start", jid=str(self.boundjid))
        spawn(self.read_commands())

    def on_groupchat(self, msg):
        if msg["body"] == "":
            return
        room = msg["from"].bare
        emit("groupchat", room=str(room), nick=msg["mucnick"], body=msg["body"], id=msg["id"],
             stanza_id=stanza_id(msg, str(room)), occupant_id=occupant_id(msg))

    def on_invite(self, msg):
        inv = msg.xml.find("{%s}x/{%s}invite" % (MUC_USER, MUC_USER))
        pw = msg.xml.find("{%s}x/{%s}password" % (MUC_USER, MUC_USER))
        reason = inv.find("{%s}reason" % MUC_USER) if inv is not None else None
        emit("invite", room=str(msg["from"]), **{"from": inv.get("from") if inv is not None else None},
             reason=reason.text if reason is not None else None, password=pw.text if pw is not None else None)

    async def join(self, cmd):
        muc = self["xep_0045"]
        pres, subject, occupants, history = await muc.join_muc_wait(
            cmd["room"], cmd["nick"], password=cmd.get("password"),
            maxstanzas=cmd.get("maxstanzas"), timeout=10)
        others = [str(p["from"].resource) for p in occupants if p is not pres and 110 not in p["muc"]["status_codes"]]
        return {"self": describe_presence(pres), "occupants": others,
                "history": [m["body"] for m in history], "subject": subject["subject"]}

    async def run(self, cmd):
        op, tag = cmd.get("op"), cmd.get("tag")
        muc = self["xep_0045"]
        try:
            if op == "join":
                emit("result", tag=tag, **await self.join(cmd))
            elif op == "create":
                joined = await self.join(cmd)
                form = await muc.get_room_config(cmd["room"], timeout=10)
                await muc.set_room_config(cmd["room"], form, timeout=10)
                emit("result", tag=tag, **joined)
            elif op == "configure":
                form = await muc.get_room_config(cmd["room"], timeout=10)
                for var, value in cmd["fields"].items():
                    form.field[var]["value"] = value
                await muc.set_room_config(cmd["room"], form, timeout=10)
                emit("result", tag=tag)
            elif op == "message":
                msg = self.make_message(mto=cmd["room"], mbody=cmd["body"], mtype="groupchat")
                if cmd.get("id"):
                    msg["id"] = cmd["id"]
                msg.send()
                emit("result", tag=tag)
            elif op == "set_affiliation":
                await muc.set_affiliation(cmd["room"], cmd["affiliation"], jid=cmd["jid"], nick=cmd.get("nick"), timeout=10)
                emit("result", tag=tag)
            elif op == "affiliations":
                jids = await muc.get_affiliation_list(cmd["room"], cmd["affiliation"], timeout=10)
                emit("result", tag=tag, jids=[str(j) for j in jids])
            elif op == "set_role":
                await muc.set_role(cmd["room"], cmd["nick"], cmd["role"], reason=cmd.get("reason", ""), timeout=10)
                emit("result", tag=tag)
            elif op == "invite":
                muc.invite(cmd["room"], cmd["jid"], reason=cmd.get("reason", ""))
                emit("result", tag=tag)
            elif op == "leave":
                muc.leave_muc(cmd["room"], cmd["nick"])
                emit("result", tag=tag)
            elif op == "destroy":
                await muc.destroy(cmd["room"], reason=cmd.get("reason", ""), altroom=cmd.get("altroom"), timeout=10)
                emit("result", tag=tag)
            else:
                emit("bad_command", tag=tag, op=op)
        except PresenceError as e:
            emit("error", tag=tag, condition=e.presence["error"]["condition"])
        except IqError as e:
            emit("error", tag=tag, condition=e.iq["error"]["condition"], text=e.iq["error"]["text"])
        except (IqTimeout, asyncio.TimeoutError):
            emit("error", tag=tag, condition="timeout")
        except Exception as e:  # a broken command must not end the peer silently
            emit("error", tag=tag, condition="exception", text=repr(e))


def main():
    run(make_peer(Peer, parse_args(arg_parser(__doc__, timeout=60.0))), close="wait")


if __name__ == "__main__":
    main()
