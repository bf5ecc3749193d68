#!/usr/bin/python3
"""slixmpp 1.8.3 as a scripted PEP peer (XEP-0163) for Parley's end-to-end tests. Logs in (PLAIN over
TLS), registers +notify interests through slixmpp's own XEP-0163/XEP-0115 plugins (so the caps hash
the server verifies is slixmpp's), sends presence, then reads one JSON command per line on stdin and
prints one JSON event per line on stdout (test/helpers/slix-pep.ts drives it).

Commands ({"op": ..., "tag": ...}; every answer echoes the tag):
  publish_avatar {b64, type, width, height}  -> {"event": "result", "id": sha1}      (XEP-0084 data + metadata)
  retrieve_avatar {jid, id}                  -> {"event": "avatar", "b64": ...}
  publish {node, id?, xml, options?}         -> {"event": "result", "id": ...}     (XEP-0060 publish-options form)
  items {jid, node, max?}                    -> {"event": "items", "items": [{"id", "xml"}]}
  quit                                       -> disconnects, exits 0
Failed iqs answer {"event": "iq_error", "condition": ..., "pubsub_condition": ...}.
Unsolicited: session_start {jid, ver}, pubsub_publish {from, node, id, xml, delay}, pubsub_retract
{from, node, id}, caps_query {from, node} (the server asked disco#info for our caps), stream_error,
disconnected.
"""
import base64
import hashlib
import xml.etree.ElementTree as ET

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.plugins.xep_0004.stanza import Form

import slix_common
from slix_common import arg_parser, emit, make_peer, parse_args, run, spawn

PUBSUB_ERRORS = "http://jabber.org/protocol/pubsub#errors"


class Peer(slix_common.Peer):
    def __init__(self, args):
        super().__init__(args, plugins=("xep_0030", "xep_0004", "xep_0060", "xep_0115", "xep_0163", "xep_0084", "xep_0203"))
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("pubsub_publish", self.on_publish)
        self.add_event_handler("pubsub_retract", self.on_retract)
        self.finish_on("failed_all_auth", 2, "failed_auth")
        self.finish_on_stream_end()

    def watch_caps_queries(self, stanza):
        """The server's disco#info for our caps (XEP-0115 §6.2); xep_0030 answers it, we only report it."""
        if stanza.name == "iq" and stanza["type"] == "get" and stanza.xml.find("{http://jabber.org/protocol/disco#info}query") is not None:
            emit("caps_query", **{"from": str(stanza["from"]), "node": stanza["disco_info"]["node"]})
        return stanza

    async def on_session_start(self, _event):
        self.add_filter("in", self.watch_caps_queries)
        for ns in self.args.notify:
            self["xep_0030"].add_feature(ns + "+notify")
        await self["xep_0115"].update_caps(broadcast=False)
        ver = await self["xep_0115"].get_verstring(self.boundjid)
        if self.args.presence:
            self.send_presence()
        emit("session_start", jid=str(self.boundjid), ver=ver)
        spawn(self.read_commands())

    def on_publish(self, msg):
        item = msg["pubsub_event"]["items"]["item"]
        payload = item.xml[0] if len(item.xml) else None
        delay = msg["delay"]["stamp"]
        emit("pubsub_publish", **{
            "from": str(msg["from"]), "to": str(msg["to"]), "node": msg["pubsub_event"]["items"]["node"], "id": item["id"],
            "xml": ET.tostring(payload, encoding="unicode") if payload is not None else None,
            "delay": delay.isoformat() if delay else None,
        })

    def on_retract(self, msg):
        emit("pubsub_retract", **{"from": str(msg["from"]), "node": msg["pubsub_event"]["items"]["node"],
                                  "id": msg["pubsub_event"]["items"]["retract"]["id"]})

    def options_form(self, options):
        form = Form()
        form["type"] = "submit"
        form.add_field(var="FORM_TYPE", ftype="hidden", value="http://jabber.org/protocol/pubsub#publish-options")
        for var, value in options.items():
            form.add_field(var=var, value=value)
        return form

    async def run(self, cmd):
        op, tag = cmd.get("op"), cmd.get("tag")
        try:
            if op == "publish_avatar":
                data = base64.b64decode(cmd["b64"])
                await self["xep_0084"].publish_avatar(data, timeout=10)
                item_id = hashlib.sha1(data).hexdigest()
                # slixmpp's MetaData.add_info wants strings (an int stalls the publish).
                info = {"id": item_id, "type": cmd["type"], "bytes": len(data), "width": str(cmd.get("width", "")), "height": str(cmd.get("height", ""))}
                await self["xep_0084"].publish_avatar_metadata(info, timeout=10)
                emit("result", tag=tag, id=item_id)
            elif op == "retrieve_avatar":
                iq = await self["xep_0084"].retrieve_avatar(slixmpp.JID(cmd["jid"]), cmd["id"], timeout=10)
                data = iq["pubsub"]["items"]["item"]["avatar_data"]["value"]
                emit("avatar", tag=tag, b64=base64.b64encode(data).decode())
            elif op == "publish":
                options = self.options_form(cmd["options"]) if cmd.get("options") else None
                iq = await self["xep_0060"].publish(None, cmd["node"], id=cmd.get("id"), payload=ET.fromstring(cmd["xml"]), options=options, timeout=10)
                emit("result", tag=tag, id=iq["pubsub"]["publish"]["item"]["id"])
            elif op == "items":
                iq = await self["xep_0060"].get_items(slixmpp.JID(cmd["jid"]), cmd["node"], max_items=cmd.get("max"), timeout=10)
                out = []
                for item in iq["pubsub"]["items"]:
                    out.append({"id": item["id"], "xml": ET.tostring(item.xml[0], encoding="unicode") if len(item.xml) else None})
                emit("items", tag=tag, items=out)
            else:
                emit("bad_command", tag=tag, op=op)
        except IqError as e:
            err = e.iq.xml.find("{jabber:client}error")
            app = [c.tag.split("}")[1] for c in err if c.tag.startswith("{" + PUBSUB_ERRORS + "}")] if err is not None else []
            emit("iq_error", tag=tag, condition=e.iq["error"]["condition"], pubsub_condition=app[0] if app else None)
        except IqTimeout:
            emit("iq_timeout", tag=tag)
        except Exception as e:  # a broken command must not end the peer silently
            emit("exception", tag=tag, error=repr(e))


def main():
    p = arg_parser(__doc__, timeout=30.0)
    p.add_argument("--notify", action="append", default=[], help="node to ask notifications for (+notify in caps)")
    p.add_argument("--presence", action="store_true", help="send presence (with caps) after login")
    run(make_peer(Peer, parse_args(p)), close="wait")


if __name__ == "__main__":
    main()
