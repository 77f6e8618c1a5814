"""Flask extensions, created unbound and initialised in create_app()."""

from __future__ import annotations

import logging

from flask_babel import Babel
from flask_socketio import SocketIO


class ShopSocketIO(SocketIO):
    """Flask-SocketIO with the shop's client manager and packet decoder, lean per socket.

    The manager drops a revoked login's sockets in every process (pos_app/socket_clients.py);
    the decoder answers JSON nested too deep to parse (pos_app/socket_packets.py); WebSockets
    are never compressed (see `uncompressed_websockets`) and one task pings them all
    (pos_app/socket_pings.py).
    """

    def init_app(self, app, **kwargs):
        from pos_app import socket_clients, socket_packets, socket_pings

        # Made here, per app: the message queue is the app's, and a manager holds its
        # process's sockets (tests build many apps in one process).
        queue = kwargs.get("message_queue")
        kwargs.setdefault("client_manager", socket_clients.client_manager(queue))
        kwargs.setdefault("serializer", socket_packets.GuardedPacket)
        kwargs.setdefault("json", socket_packets.GuardedJSON)
        super().init_app(app, **kwargs)
        self.server.eio.on("message", _refusing_garbage(self.server))
        socket_pings.install(self.server.eio)
        app.wsgi_app = uncompressed_websockets(app.wsgi_app)


def uncompressed_websockets(wsgi_app):
    """WSGI middleware: a WebSocket upgrade's offer of compression (permessage-deflate) is
    dropped, so simple-websocket accepts the socket without it.

    simple-websocket accepts permessage-deflate from every client that offers it (browsers and
    Node always do): each screen's socket then compresses every push on its own (CPU per screen
    per push) and keeps a zlib context for as long as it is open (docs/architecture.md has the
    figures). Pushes of 1-3 KB on a shop's LAN gain nothing from it.
    """

    def app(environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return wsgi_app(environ, start_response)

    return app


def _refusing_garbage(server):
    """The Engine.IO message handler, closing a connection that sends no Socket.IO packet.

    python-socketio raises on a frame it cannot decode at all (no packet type, an unknown
    one, an attachment nobody announced); unguarded, that logged a traceback per frame and
    kept the connection. There is no ack id to answer, so the connection is refused.
    """
    handle = server._handle_eio_message

    def on_message(eio_sid, data):
        try:
            handle(eio_sid, data)
        except (ValueError, TypeError, KeyError, IndexError) as err:
            logging.getLogger("pos.realtime").warning(
                "closing %s: not a Socket.IO packet (%s)", eio_sid, err
            )
            server.eio.disconnect(eio_sid)

    return on_message


socketio = ShopSocketIO()
babel = Babel()
