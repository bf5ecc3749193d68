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
import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout, PresenceError

OCCUPANT_ID = "urn:xmpp:occupant-id:0"
SID = "urn:xmpp:sid:0"
MUC_USER = "http://jabber.org/protocol/muc#user"

_tasks = set()


def emit(event, **fields):
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def _spawn(coro):
    task = asyncio.ensure_future(coro)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return task


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


class Peer(slixmpp.ClientXMPP):
    def __init__(self, args):
        super().__init__(args.jid, args.password)
        self.args = args
        self.finished = asyncio.get_event_loop().create_future()
        for plugin in ("xep_0030", "xep_0004", "xep_0045", "xep_0203"):
            self.register_plugin(plugin)
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("groupchat_message", self.on_groupchat)
        self.add_event_handler("groupchat_presence", lambda p: emit("muc_presence", **describe_presence(p)))
        self.add_event_handler("groupchat_invite", self.on_invite)
        self.add_event_handler("failed_all_auth", lambda _=None: self.finish(2, "failed_auth"))
        self.add_event_handler("stream_error", lambda e: self.finish(5, "stream_error", condition=e["condition"], text=e["text"]))
        self.add_event_handler("connection_failed", lambda e=None: self.finish(4, "connection_failed", reason=str(e)))
        self.add_event_handler("disconnected", lambda reason=None: self.finish(5, "disconnected"))

    def finish(self, code, event, **fields):
        if event:
            emit(event, **fields)
        if not self.finished.done():
            self.finished.set_result(code)

    async def get_dns_records(self, domain, port=None):
        return [(domain, self.args.host, self.args.port)]

    async def on_session_start(self, _event):
        # Available, as MUC clients are: messages to the bare JID (invitations) need an available resource (RFC 6121 §8.5.2).
        self.send_presence()
        emit("session_start", jid=str(self.boundjid))
        _spawn(self.read_commands())

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

    async def read_commands(self):
        loop = asyncio.get_event_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while not self.finished.done():
            line = await reader.readline()
            if not line:
                break
            try:
                cmd = json.loads(line)
            except ValueError:
                emit("bad_command", line=line.decode(errors="replace"))
                continue
            if cmd.get("op") == "quit":
                self.disconnect(wait=1.0)
                self.finish(0, "done")
                return
            _spawn(self.run(cmd))

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
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jid", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--debug", action="store_true")
    args = p.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.CRITICAL, stream=sys.stderr)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    xmpp = Peer(args)
    xmpp.ca_certs = Path(args.ca)
    xmpp["feature_mechanisms"].use_mech = "PLAIN"
    xmpp.reconnect_max_attempts = 0
    xmpp.connect((args.host, args.port), force_starttls=True)

    async def run():
        try:
            return await asyncio.wait_for(asyncio.shield(xmpp.finished), timeout=args.timeout)
        except asyncio.TimeoutError:
            emit("timeout", seconds=args.timeout)
            return 3

    code = loop.run_until_complete(run())
    try:
        loop.run_until_complete(asyncio.wait_for(xmpp.disconnected, timeout=3))
    except Exception:
        pass
    sys.exit(code)


if __name__ == "__main__":
    main()
