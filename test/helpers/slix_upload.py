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
import asyncio
from pathlib import Path

import slix_common
from slix_common import arg_parser, emit, make_peer, parse_args, run


class Uploader(slix_common.Peer):
    def __init__(self, args):
        super().__init__(args, plugins=("xep_0030", "xep_0066", "xep_0128", "xep_0363"))
        self.patch_disco_wait()
        self.add_event_handler("session_start", self.on_session_start)
        self.finish_on("failed_all_auth", 2, "failed_auth")

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
    p = arg_parser(__doc__, timeout=40.0)
    p.add_argument("--file", required=True)
    p.add_argument("--content-type", default="application/octet-stream")
    p.add_argument("--send-to")
    p.add_argument("--message-id", default="slix-upload-1")
    run(make_peer(Uploader, parse_args(p)), close="no")


if __name__ == "__main__":
    main()
