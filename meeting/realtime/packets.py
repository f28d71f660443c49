"""Socket.IO packets that carry JSON only, as every event of this app does.

python-socketio walks every value of an outgoing payload to see whether it holds binary
data to send apart; a screen's state has hundreds of values, and the walk cost more than
the rest of sending it. This app never sends binary data (docs/protocol.md): only the
payload's top level is looked at. Received packets are decoded as before.
"""

from __future__ import annotations

import json
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


class Utf8Json:
    """JSON for every packet, with Chinese written as UTF-8 rather than \\u escapes: a
    third of the bytes for names and findings, on cheap phones and the hall's Wi-Fi."""

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        return json.dumps(obj, ensure_ascii=False, **kwargs)

    @staticmethod
    def loads(text: str | bytes, **kwargs: Any) -> Any:
        return json.loads(text, **kwargs)
