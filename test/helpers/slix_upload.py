#!/usr/bin/python3
"""slixmpp 1.8.3 as an XEP-0363 uploader for Parley's end-to-end tests: logs in (PLAIN over
STARTTLS), finds the upload service through disco on its own domain and uploads one file with
slixmpp's own xep_0363 plugin (upload_file: disco, slot request, PUT over aiohttp), then
optionally sends the GET URL to a JID (body + XEP-0066 OOB, as clients do). Prints JSON lines:
  {"event": "session_start", "jid": ...}
  {"event": "uploaded", "url": ..., "service": ...} | {"event": "upload_error", "error": ..., "kind": ...}
  {"event": "sent", "to": ...}
Exit 0 on success, 2 auth failure, 3 timeout, 6 upload failed. HTTPS trust: SSL_CERT_FILE.
"""
import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

import slixmpp


def emit(event, **fields):
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


class Uploader(slixmpp.ClientXMPP):
    def __init__(self, args):
        super().__init__(args.jid, args.password)
        self.args = args
        self.finished = asyncio.get_event_loop().create_future()
        for plugin in ("xep_0030", "xep_0066", "xep_0128", "xep_0363"):
            self.register_plugin(plugin)
        self.patch_disco_wait()
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("failed_all_auth", lambda _=None: self.finish(2, "failed_auth"))
        self.add_event_handler("connection_failed", lambda e=None: self.finish(4, "connection_failed", reason=str(e)))

    def patch_disco_wait(self):
        """slixmpp 1.8.3's get_info_from_domain hands coroutines to asyncio.wait, which Python 3.11
        refuses ("Passing coroutines is forbidden"); the same lookup with tasks."""
        disco = self["xep_0030"]

        async def get_info_from_domain(domain=None, timeout=None, cached=True, callback=None):
            domain = domain or self.boundjid.domain
            infos = [asyncio.ensure_future(disco.get_info(domain, timeout=timeout))]
            items = (await disco.get_items(domain, timeout=timeout))["disco_items"]["items"]
            infos += [asyncio.ensure_future(disco.get_info(item[0], timeout=timeout)) for item in items]
            done, _ = await asyncio.wait(infos, timeout=timeout)
            return [f.result() for f in done if not f.exception()]

        disco.get_info_from_domain = get_info_from_domain

    def finish(self, code, event=None, **fields):
        if event:
            emit(event, **fields)
        if not self.finished.done():
            self.finished.set_result(code)

    async def get_dns_records(self, domain, port=None):
        return [(domain, self.args.host, self.args.port)]

    async def on_session_start(self, _event):
        emit("session_start", jid=str(self.boundjid))
        self.send_presence()
        path = Path(self.args.file)
        try:
            url = await self["xep_0363"].upload_file(path, content_type=self.args.content_type, timeout=20)
        except Exception as e:  # the plugin raises its own FileUploadError kinds and IqError
            self.finish(6, "upload_error", error=str(e), kind=type(e).__name__)
            return
        emit("uploaded", url=url, service=str(self["xep_0363"].upload_service))
        if self.args.send_to:
            msg = self.make_message(mto=self.args.send_to, mbody=url, mtype="chat")
            msg["oob"]["url"] = url
            msg["id"] = self.args.message_id
            msg.send()
            emit("sent", to=self.args.send_to)
            await asyncio.sleep(1)
        self.disconnect(wait=1.0)
        self.finish(0, "done")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jid", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--content-type", default="application/octet-stream")
    p.add_argument("--send-to")
    p.add_argument("--message-id", default="slix-upload-1")
    p.add_argument("--timeout", type=float, default=40.0)
    args = p.parse_args()
    logging.basicConfig(level=logging.CRITICAL, stream=sys.stderr)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    xmpp = Uploader(args)
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

    sys.exit(loop.run_until_complete(run()))


if __name__ == "__main__":
    main()
