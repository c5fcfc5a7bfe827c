"""A threaded HTTP server on a loopback port the OS picks: the one way test servers here start and stop."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def start(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """Serve `handler` on 127.0.0.1 (a free port) from a daemon thread; the port is `server_address[1]`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop(server: ThreadingHTTPServer | None) -> None:
    """Stop serving and close the socket (None: nothing to do)."""
    if server is not None:
        server.shutdown()
        server.server_close()
