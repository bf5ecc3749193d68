#!/usr/bin/python3
"""slixmpp 1.8.3 as a scripted test peer for IM features (offline messages, blocking, private
XML, vCard). Logs in (PLAIN over TLS: the login itself is tested elsewhere), then reads one JSON
command per line on stdin and prints one JSON event per line on stdout (test/helpers/slix-ops.ts
drives it). Uses slixmpp's own plugins where it has them: XEP-0191 (block/unblock/blocklist and
the pushes), XEP-0054 (vCard), XEP-0203 (delay on messages); other iqs are sent as raw XML.

Commands ({"op": ..., "tag": ...}; every answer echoes the tag):
  presence {priority}                       -> {"event": "sent"}
  message {to, body, type, id}              -> {"event": "sent"}
  blocklist                                 -> {"event": "blocklist", "items": [...]}
  block {jids} / unblock {jids}             -> {"event": "result"}
  vcard_set {fn}                            -> {"event": "result"}
  vcard_get {jid}                           -> {"event": "vcard", "fn": ..., "xml": "<iq .../>"}
  iq {type, to?, xml}                       -> {"event": "result", "xml": "<iq .../>"}
  quit                                      -> disconnects, exits 0
Failed iqs answer {"event": "iq_error", "condition": ..., "text": ...}.
Unsolicited: session_start, message {from, to, type, body, id, delay_stamp, delay_from},
blocked / unblocked {items} (pushes), stream_error, disconnected.
"""
import xml.etree.ElementTree as ET

from slixmpp.exceptions import IqError, IqTimeout

import slix_common
from slix_common import arg_parser, emit, make_peer, parse_args, run, spawn


def push_items(iq, name):
    return sorted(str(j) for j in iq[name]["items"])


class Peer(slix_common.Peer):
    def __init__(self, args):
        super().__init__(args, plugins=("xep_0030", "xep_0054", "xep_0191", "xep_0203"))
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("blocked", lambda iq: emit("blocked", items=push_items(iq, "block")))
        self.add_event_handler("unblocked", lambda iq: emit("unblocked", items=push_items(iq, "unblock")))
        self.finish_on("failed_all_auth", 2, "failed_auth")
        self.finish_on_stream_end()

    async def on_session_start(self, _event):
        emit("session_start", jid=str(self.boundjid))
        spawn(self.read_commands())

    def on_message(self, msg):
        delay = msg["delay"]
        stamp = delay["stamp"]
        emit("message", **{
            "from": str(msg["from"]), "to": str(msg["to"]), "type": msg["type"], "body": msg["body"], "id": msg["id"],
            "delay_stamp": stamp.isoformat() if stamp else None, "delay_from": str(delay["from"]) if delay["from"] else None,
            "error": msg["error"]["condition"] if msg["type"] == "error" else None,
        })

    async def run(self, cmd):
        op, tag = cmd.get("op"), cmd.get("tag")
        try:
            if op == "presence":
                self.send_presence(ppriority=cmd.get("priority", 0))
                emit("sent", tag=tag)
            elif op == "message":
                msg = self.make_message(mto=cmd["to"], mbody=cmd.get("body"), mtype=cmd.get("type", "chat"))
                if cmd.get("id"):
                    msg["id"] = cmd["id"]
                msg.send()
                emit("sent", tag=tag)
            elif op == "blocklist":
                iq = await self["xep_0191"].get_blocked(timeout=10)
                emit("blocklist", tag=tag, items=[str(j) for j in iq["blocklist"]["items"]])
            elif op in ("block", "unblock"):
                await getattr(self["xep_0191"], op)(cmd["jids"], timeout=10)
                emit("result", tag=tag)
            elif op == "vcard_set":
                vcard = self["xep_0054"].make_vcard()
                vcard["FN"] = cmd.get("fn", "")
                await self["xep_0054"].publish_vcard(vcard, timeout=10)
                emit("result", tag=tag)
            elif op == "vcard_get":
                iq = await self["xep_0054"].get_vcard(cmd.get("jid"), cached=False, local=False, timeout=10)
                emit("vcard", tag=tag, fn=iq["vcard_temp"]["FN"], xml=str(iq))
            elif op == "iq":
                iq = self.make_iq(itype=cmd["type"], ito=cmd.get("to"))
                iq.xml.append(ET.fromstring(cmd["xml"]))
                result = await iq.send(timeout=10)
                emit("result", tag=tag, xml=str(result))
            else:
                emit("bad_command", tag=tag, op=op)
        except IqError as e:
            emit("iq_error", tag=tag, condition=e.iq["error"]["condition"], text=e.iq["error"]["text"], xml=str(e.iq))
        except IqTimeout:
            emit("iq_timeout", tag=tag)
        except Exception as e:  # a broken command must not end the peer silently
            emit("exception", tag=tag, error=repr(e))


def main():
    run(make_peer(Peer, parse_args(arg_parser(__doc__, timeout=30.0))), close="wait")


if __name__ == "__main__":
    main()
