"""Which sockets this process holds, and dropping a room's sockets in every process.

python-socketio's client managers keep each process's sockets and rooms. With Redis as the
message queue, an emit reaches every process, and so does `disconnect(sid)`; but a process
knows only its own sids, and nothing drops *a room* everywhere (`close_room` only forgets
the room). The managers here add that: `drop_room(room, code)` tells the room's sockets why
(`session_revoked`), then disconnects them, here and, through one more Redis message kind
(`pos_drop_room`), in every other process. They also sweep, every SWEEP_SECONDS, the sockets
whose login has expired (each socket joins `rooms.expiry_room(expires_at)` at connect).
"""

from __future__ import annotations

import logging
import time
import weakref

import socketio

from pos_app import clock
from pos_app.rooms import expiry_second

log = logging.getLogger("pos.realtime")

CHANNEL = "flask-socketio"  # Flask-SocketIO's default: external emitters keep working
DROP_METHOD = "pos_drop_room"
DROPPED_EVENT = "session_revoked"
SWEEP_SECONDS = 5.0
NOTICES = {
    "token_revoked": "You were signed out (logout, deactivation, or a new PIN or password).",
    "token_expired": "Your sign-in has expired.",
    "token_invalid": "This sign-in is not valid.",
    "staff_inactive": "This staff member is deactivated.",
}


def notice(code: str) -> dict:
    """What a dropped socket is told before it is disconnected."""
    message = NOTICES.get(code, NOTICES["token_revoked"])
    return {"code": code, "message": f"{message} Sign in again."}


class DropsRooms:
    """Mixin for a python-socketio client manager: drop a room's sockets, sweep expired ones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused: set[str] = set()  # sids dropped while still connecting
        self._sweeping = False

    def initialize(self):
        super().initialize()
        # The sweep runs where sockets are served (gevent: pos_app.server, gunicorn). In
        # threading mode (tests, the CLI) nobody serves them all shift, and a test that moves
        # the clock calls drop_expired itself instead of racing a sweeper thread.
        if not self._sweeping and self.server.async_mode != "threading":
            self._sweeping = True
            self.server.start_background_task(_sweep_forever, weakref.ref(self))

    def drop_room(self, room: str, code: str) -> None:
        """Tell the room's sockets why, then disconnect them (this process only, without Redis)."""
        self.drop_local(room, code)

    def drop_local(self, room: str, code: str) -> int:
        """Drop the room's sockets held by this process, in every namespace; how many."""
        dropped = 0
        for namespace in list(self.get_namespaces()):
            members = list(self.get_participants(namespace, room))
            if not members:
                continue
            self.server.emit(
                DROPPED_EVENT, notice(code), to=room, namespace=namespace, ignore_queue=True
            )
            for sid, _eio_sid in members:
                if self.is_pre_connected(sid, namespace):
                    self.refused.add(sid)  # its connect handler refuses it (realtime.py)
                else:
                    self.server.disconnect(sid, namespace=namespace, ignore_queue=True)
                dropped += 1
        if dropped:
            log.info("dropped %d socket(s) of %s: %s", dropped, room, code)
        return dropped

    def was_refused(self, sid: str) -> bool:
        """True (once) if `sid` was dropped while it was still connecting."""
        if sid in self.refused:
            self.refused.discard(sid)
            return True
        return False

    def drop_expired(self, now: float) -> int:
        """Drop this process's sockets whose login expired by `now` (epoch seconds)."""
        expired = set()
        for namespace in list(self.get_namespaces()):
            for room in list(self.rooms.get(namespace, {})):
                second = expiry_second(room)
                if second is not None and second <= now:
                    expired.add(room)
        return sum(self.drop_local(room, "token_expired") for room in sorted(expired))


def _sweep_forever(manager_ref) -> None:
    """Every SWEEP_SECONDS, drop expired logins; ends when its manager is gone (a test's app)."""
    while True:
        time.sleep(SWEEP_SECONDS)  # gevent's sleep in the server (monkey-patched)
        manager = manager_ref()
        if manager is None:
            return
        try:
            manager.drop_expired(clock.utcnow().timestamp())
        except Exception:  # noqa: BLE001 - the sweep must outlive one bad round
            log.exception("the expired-login sweep failed")
        del manager


class LocalManager(DropsRooms, socketio.Manager):
    """One process serves the shop: its own sockets are all there are."""


class RedisDropManager(DropsRooms, socketio.RedisManager):
    """Several processes joined by Redis: a drop is published to every process."""

    def drop_room(self, room: str, code: str) -> None:
        """Drop the room's sockets here, and publish the drop to every other process."""
        self.drop_local(room, code)
        self._publish({"method": DROP_METHOD, "room": room, "code": code, "host_id": self.host_id})

    def _listen(self):
        # PubSubManager's loop ignores methods it does not know; ours are taken out here and
        # every other message goes on to it untouched.
        for message in super()._listen():
            drop = self._drop_message(message)
            if drop is None:
                yield message
            elif drop.get("host_id") != self.host_id:
                try:
                    self.drop_local(str(drop["room"]), str(drop["code"]))
                except Exception:  # noqa: BLE001 - never kill the listener
                    log.exception("a drop from another process failed")

    def _drop_message(self, message) -> dict | None:
        marker = DROP_METHOD.encode() if isinstance(message, bytes) else DROP_METHOD
        if marker not in message:
            return None  # an emit or another manager message: not parsed twice
        try:
            data = self.json.loads(message)
        except ValueError:
            return None
        if isinstance(data, dict) and data.get("method") == DROP_METHOD:
            return data
        return None


def client_manager(url: str | None):
    """The client manager for POS_REDIS_URL: Redis-backed when set, in-process otherwise."""
    if not url:
        return LocalManager()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisDropManager(url, channel=CHANNEL)
    raise ValueError(f"POS_REDIS_URL must be a redis:// or rediss:// URL, not {url!r}")
