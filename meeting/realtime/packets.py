"""Socket.IO packets that carry JSON only, as every event of this app does.

python-socketio walks every value of an outgoing payload to see whether it holds binary
data to send apart; a screen's state has hundreds of values, and the walk cost more than
the rest of sending it. This app never sends binary data (docs/protocol.md): only the
payload's top level is looked at. Received packets are decoded as before.
"""

from __future__ import annotations

from typing import Any

from socketio import packet


class JsonPacket(packet.Packet):
    @classmethod
    def data_is_binary(cls, data: Any) -> bool:
        if isinstance(data, bytes | bytearray):
            return True
        if isinstance(data, list):
            return any(isinstance(item, bytes | bytearray) for item in data)
        return False
