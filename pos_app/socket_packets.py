"""Socket.IO packets from hostile clients: JSON too deep to parse still yields an answerable packet.

Pure: no I/O. python-socketio reads a packet's header (type, namespace, ack id) by hand and
its data with `json.loads`, which raises RecursionError past about 1,000 levels (and its
binary-attachment rebuild, recursive in Python, past about 500). Unguarded, that error
escaped the decoder: the command got no ack (the handheld waited for its timeout). Here the
header is kept and the data replaced by UNREADABLE, so the namespace answers the packet's
ack id with `invalid_json` (pos_app/realtime.py). What parses is checked again, level by
level, by pos_app/inputs.py (at most 16 levels).
"""

from __future__ import annotations

import json

from socketio import packet


class NestedTooDeep(ValueError):
    """JSON nested deeper than Python's parser goes (a ValueError, as python-engineio expects)."""


class _Unreadable:
    """The data of a packet whose JSON could not be parsed."""

    def __repr__(self) -> str:
        return "UNREADABLE"


UNREADABLE = _Unreadable()


class GuardedJSON:
    """The json module given to python-socketio and python-engineio: NestedTooDeep, not
    RecursionError (engineio then keeps a frame's text as it is instead of dropping the
    connection's reader mid-way)."""

    @staticmethod
    def dumps(*args, **kwargs):
        return json.dumps(*args, **kwargs)

    @staticmethod
    def loads(*args, **kwargs):
        try:
            return json.loads(*args, **kwargs)
        except RecursionError as err:
            raise NestedTooDeep("JSON nested too deeply") from err


class GuardedPacket(packet.Packet):
    """A Socket.IO packet whose unparseable data becomes UNREADABLE, its header intact."""

    json = GuardedJSON

    def decode(self, encoded_packet):
        try:
            return super().decode(encoded_packet)
        except NestedTooDeep:
            # The header was read before the data: type, namespace and ack id are set.
            self.data = unreadable_data(self.packet_type)
            return declared_attachments(encoded_packet)

    def add_attachment(self, attachment):
        try:
            return super().add_attachment(attachment)
        except RecursionError:
            self.data = unreadable_data(self.packet_type)
            return True


def unreadable_data(packet_type: int):
    """What an unparseable packet carries: an event (its name unknown) with UNREADABLE."""
    if packet_type in (packet.EVENT, packet.BINARY_EVENT):
        return ["", UNREADABLE]
    return UNREADABLE


def declared_attachments(encoded_packet: str) -> int:
    """The binary attachment count a packet's header announces ("51-/kds,..."), else 0."""
    count, dash, _rest = encoded_packet[1:13].partition("-")
    return int(count) if dash and count.isdigit() else 0
