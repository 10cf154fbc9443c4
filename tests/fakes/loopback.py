"""The HTTP server class every loopback fake uses."""

from __future__ import annotations

from http.server import ThreadingHTTPServer


class LoopbackServer(ThreadingHTTPServer):
    """A threading server whose listen backlog holds a whole burst of concurrent connections.

    The standard library listens with a backlog of 5. The gate opens up to 16 connections per model at
    once; past the backlog the kernel drops connection attempts, the client retries them a second
    later or gives up ("Connection error"), and a benchmark or test measures the fake, not the gate.
    """

    request_queue_size = 1024
