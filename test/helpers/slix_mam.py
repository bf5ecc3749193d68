#!/usr/bin/python3
"""slixmpp 1.8.3 as a MAM (XEP-0313) client for Parley's end-to-end tests.

Logs in, sends available presence, prints each message it receives with its XEP-0359 stanza-id,
and once --wait-messages have arrived queries its own archive:

  {"event": "ready"}                                     presence processed, send now
  {"event": "message", "id": ..., "body": ..., "stanza_ids": [{"by": ..., "id": ...}]}
  {"event": "forward", "pages": [{"ids": [...], "bodies": [...], "complete": "false"}, ...]}
                       RSM max=2, then after=<last> until complete='true'
  {"event": "backward", "pages": [...]}                  RSM max=2 with <before/>, then before=<first>
  {"event": "iterated", "bodies": [...]}                 slixmpp's own RSM iterator (forwards, max=2)
  {"event": "with", "with": ..., "bodies": [...]}        a 'with' filtered query
  {"event": "done"}

Exit codes: 0 done, 3 timed out, 4 could not connect or log in, 1 crash.
"""
from slixmpp import JID
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

import slix_common
from slix_common import arg_parser, emit, make_peer, parse_args, run, spawn

MAM = "urn:xmpp:mam:2"
MAX_PAGES = 20


class MamPeer(slix_common.Peer):
    def __init__(self, args):
        super().__init__(args, plugins=("xep_0030", "xep_0004", "xep_0059", "xep_0297", "xep_0313", "xep_0359"))
        self.received = 0
        self.results = {}
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("message", self.on_message)
        self.finish_on("failed_all_auth", 4)
        self.finish_on("disconnected", 5)
        # Result messages, gathered per queryid; they arrive before the iq result (XEP-0313 §4).
        self.register_handler(Callback("mam results", MatchXPath("{jabber:client}message/{%s}result" % MAM), self.on_result))

    def on_result(self, msg):
        result = msg["mam_result"]
        body = result["forwarded"]["stanza"]["body"]
        self.results.setdefault(result["queryid"], []).append({"id": result["id"], "body": body, "from": str(msg["from"])})

    async def on_session_start(self, _event):
        self.send_presence()
        # A round trip: the server handles our stanzas in order, so the presence is in effect now.
        await self["xep_0030"].get_info(jid=self.boundjid.domain)
        emit("ready")

    def on_message(self, msg):
        if msg.xml.find("{%s}result" % MAM) is not None or msg["type"] == "error":
            return
        sids = [{"by": el.get("by"), "id": el.get("id")} for el in msg.xml.findall("{urn:xmpp:sid:0}stanza-id")]
        emit("message", id=msg["id"], body=msg["body"], stanza_ids=sids)
        self.received += 1
        if self.received == self.args.wait_messages:
            spawn(self.query_archive())

    async def page(self, after=None, before=None, with_jid=None):
        iq = self.make_iq_set()
        qid = iq["id"]
        iq["mam"]["queryid"] = qid
        if with_jid:
            iq["mam"]["with"] = JID(with_jid)
        iq["mam"]["rsm"]["max"] = "2"
        if after is not None:
            iq["mam"]["rsm"]["after"] = after
        if before is not None:
            iq["mam"]["rsm"]["before"] = before if before else True
        reply = await iq.send(timeout=10)
        fin = reply.xml.find("{%s}fin" % MAM)
        results = self.results.pop(qid, [])
        return {
            "ids": [r["id"] for r in results],
            "bodies": [r["body"] for r in results],
            "complete": fin.get("complete") if fin is not None else None,
            "first": reply["mam_fin"]["rsm"]["first"],
            "last": reply["mam_fin"]["rsm"]["last"],
        }

    async def walk(self, backwards):
        pages, cursor = [], None
        for _ in range(MAX_PAGES):
            p = await (self.page(before=cursor or "") if backwards else self.page(after=cursor))
            pages.append(p)
            if p["complete"] == "true":
                break
            cursor = p["first"] if backwards else p["last"]
        return pages

    async def query_archive(self):
        try:
            emit("forward", pages=await self.walk(backwards=False))
            emit("backward", pages=await self.walk(backwards=True))
            bodies = []
            async for m in self["xep_0313"].iterate(rsm={"max": 2}, total=50):
                bodies.append(m["mam_result"]["forwarded"]["stanza"]["body"])
            emit("iterated", bodies=bodies)
            if self.args.with_jid:
                reply = await self["xep_0313"].retrieve(with_jid=JID(self.args.with_jid), timeout=10)
                emit("with", **{"with": self.args.with_jid, "bodies": [m["mam_result"]["forwarded"]["stanza"]["body"] for m in reply["mam"]["results"]]})
            self.finish(0, "done")
        except Exception as e:  # report, do not hang
            self.finish(1, "error", reason=repr(e))


def main():
    p = arg_parser(__doc__, timeout=30.0)
    p.add_argument("--wait-messages", type=int, default=0)
    p.add_argument("--with-jid")
    run(make_peer(MamPeer, parse_args(p)))


if __name__ == "__main__":
    main()
