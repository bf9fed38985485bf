"""A real mDNS responder for the probe tests: ``python mdns_announcer.py <spec.json>``.

The spec is a JSON list of services ``{"name", "port", "addresses", "server", "txt"}`` of type
``_openclaw-gw._tcp.local.``. Publishes on 127.0.0.1 only (never on the host's real NIC),
prints ``registered`` once all are announced, and withdraws them on SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys

from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

TYPE = "_openclaw-gw._tcp.local."


async def main(spec_path: str) -> None:
    with open(spec_path, encoding="utf-8") as fh:
        spec = json.load(fh)
    zc = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    infos = [
        AsyncServiceInfo(
            TYPE,
            f"{s['name']}.{TYPE}",
            port=s["port"],
            addresses=[socket.inet_aton(a) for a in s["addresses"]],
            properties=s["txt"],
            server=s["server"],
        )
        for s in spec
    ]
    # Probing (~1.2 s) runs for all services at once.
    await asyncio.gather(*(zc.async_register_service(i) for i in infos))
    print("registered", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await zc.async_unregister_all_services()
    await zc.async_close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
