"""One task pings every Engine.IO socket of a process, each when its interval is over.

python-engineio's own way is a sleeping task per socket (pos_app/socket_pings.py says why not).
A real Engine.IO server and real sockets (its Socket class, threading mode), so an upgrade of
the pinned library that changes how pings are scheduled fails here.
"""

from __future__ import annotations

import engineio
from engineio import packet
from engineio.socket import Socket
from live import eventually

from pos_app import socket_pings
from pos_app.extensions import socketio


def pings_in(socket: Socket) -> int:
    return sum(p.packet_type == packet.PING for p in list(socket.queue.queue))


def test_one_task_pings_every_socket_after_its_interval_and_again_after_each_pong():
    eio = engineio.Server(async_mode="threading", ping_interval=0.3, ping_timeout=5)
    tasks = []
    spawn = eio.start_background_task
    eio.start_background_task = lambda target, *a, **k: tasks.append(target) or spawn(target)
    socket_pings.install(eio)
    sockets = [Socket(eio, f"sid-{i}") for i in range(50)]
    closed = sockets.pop()
    closed.closed = True
    for socket in [*sockets, closed]:
        socket.schedule_ping()  # as the server does at connect

    assert all(pings_in(socket) == 0 for socket in sockets)  # not before the interval
    eventually(lambda: all(pings_in(socket) == 1 for socket in sockets), seconds=5)
    assert pings_in(closed) == 0
    assert len(tasks) == 1  # one task for fifty sockets (the library: fifty)

    sockets[0].receive(packet.Packet(packet.PONG))  # the pong schedules the next ping
    eventually(lambda: pings_in(sockets[0]) == 2, seconds=5)
    assert all(pings_in(socket) == 1 for socket in sockets[1:])


def test_the_apps_socketio_server_pings_from_one_task(app):
    assert isinstance(socketio.server.eio.start_background_task.__self__, socket_pings.Pinger)
