"""A minimal Socket.IO client over a raw websocket, for load generation.

Thousands of phones must fit in one light process (the load generator should use a few
per cent of the machine, not compete with the server it measures), so this speaks just
enough of Engine.IO v4 / Socket.IO v5 over RFC 6455 on asyncio: the handshake, masked
client frames, unmasked server frames, permessage-deflate (as browsers offer it), pings,
events with acknowledgements. A phone does not decode the states it receives; only the
screens that a benchmark watches do.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import struct
import time
import zlib
from collections.abc import Callable
from typing import Any

_ACK = re.compile(rb"^43(\d+)")
_DEFLATE_TAIL = b"\x00\x00\xff\xff"


class Refused(Exception):
    """The server refused the Socket.IO connection (connect_error)."""


class WireClient(asyncio.Protocol):
    """One connection. ``on_event(name, raw_bytes, received_at)`` sees server events when set."""

    def __init__(
        self,
        on_event: Callable[[str, bytes, float], None] | None = None,
        deflate: bool = False,
    ) -> None:
        self.on_event = on_event
        self.offer_deflate = deflate
        self.deflate = False  # accepted by the server
        self._inflater = zlib.decompressobj(-15)
        self._deflater = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._upgraded = False
        self._handshake: asyncio.Future[None] | None = None
        self._connected: asyncio.Future[None] | None = None
        self._acks: dict[int, asyncio.Future[tuple[bytes, float]]] = {}
        self._next_ack = 0
        self._fragments: list[bytes] = []
        self._fragment_compressed = False
        self.closed = asyncio.Event()

    # --- opening -------------------------------------------------------------------------
    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        auth: dict[str, Any],
        cookie: str = "",
        lang: str = "zh",
        on_event: Callable[[str, bytes, float], None] | None = None,
        deflate: bool = False,
        timeout: float = 30.0,
    ) -> WireClient:
        loop = asyncio.get_running_loop()
        client = cls(on_event, deflate)
        client._handshake = loop.create_future()
        client._connected = loop.create_future()
        await asyncio.wait_for(loop.create_connection(lambda: client, host, port), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET /socket.io/?EIO=4&transport=websocket&lang={lang} HTTP/1.1",
            f"Host: {host}:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        if cookie:
            lines.append(f"Cookie: {cookie}")
        if deflate:
            lines.append("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")
        client.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await asyncio.wait_for(client._handshake, timeout)
        client._send_text(b"40" + json.dumps(auth).encode())
        await asyncio.wait_for(client._connected, timeout)
        return client

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set()
        for future in (self._handshake, self._connected, *self._acks.values()):
            if future is not None and not future.done():
                future.set_exception(ConnectionError("connection lost"))

    # --- sending -------------------------------------------------------------------------
    async def call(self, event: str, payload: Any, timeout: float = 60.0) -> tuple[Any, float]:
        """Send an event and wait for its acknowledgement: (the answer, when it arrived)."""
        ack = self._next_ack
        self._next_ack += 1
        future: asyncio.Future[tuple[bytes, float]] = asyncio.get_running_loop().create_future()
        self._acks[ack] = future
        self._send_text(b"42%d" % ack + json.dumps([event, payload]).encode())
        raw, at = await asyncio.wait_for(future, timeout)
        return json.loads(raw)[0], at

    def _send_text(self, data: bytes) -> None:
        header = 0x81  # FIN + text
        if self.deflate:
            data = self._deflater.compress(data) + self._deflater.flush(zlib.Z_SYNC_FLUSH)
            data = data[:-4]
            header |= 0x40  # RSV1: compressed
        mask = os.urandom(4)
        length = len(data)
        if length < 126:
            frame = struct.pack("!BB", header, 0x80 | length)
        elif length < 65536:
            frame = struct.pack("!BBH", header, 0x80 | 126, length)
        else:
            frame = struct.pack("!BBQ", header, 0x80 | 127, length)
        self.transport.write(frame + mask + _mask(data, mask))

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()  # as a phone whose screen goes dark

    # --- receiving -----------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if not self._upgraded:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self._buffer[:end]).decode("latin-1")
            del self._buffer[: end + 4]
            if not head.startswith("HTTP/1.1 101"):
                self._handshake.set_exception(Refused(head.splitlines()[0]))
                return
            self.deflate = "permessage-deflate" in head.lower()
            self._upgraded = True
            self._handshake.set_result(None)
        self._read_frames()

    def _read_frames(self) -> None:
        buffer = self._buffer
        while len(buffer) >= 2:
            first, second = buffer[0], buffer[1]
            length = second & 0x7F
            offset = 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length = struct.unpack_from("!H", buffer, 2)[0]
                offset = 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length = struct.unpack_from("!Q", buffer, 2)[0]
                offset = 10
            if len(buffer) < offset + length:
                return
            payload = bytes(buffer[offset : offset + length])
            del buffer[: offset + length]
            opcode = first & 0x0F
            if opcode == 0x8:  # close
                self.close()
                return
            if opcode == 0x9:  # websocket ping: pong with the same payload
                self._send_control(0xA, payload)
                continue
            if opcode in (0x1, 0x2):
                self._fragments = [payload]
                self._fragment_compressed = bool(first & 0x40)
            elif opcode == 0x0:
                self._fragments.append(payload)
            else:
                continue
            if first & 0x80:  # FIN
                message = b"".join(self._fragments)
                if self._fragment_compressed:
                    message = self._inflater.decompress(message + _DEFLATE_TAIL)
                self._on_message(message)

    def _send_control(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        self.transport.write(
            struct.pack("!BB", 0x80 | opcode, 0x80 | len(payload)) + mask + _mask(payload, mask)
        )

    def _on_message(self, message: bytes) -> None:
        at = time.perf_counter()
        kind = message[:1]
        if kind == b"2":  # Engine.IO ping: answer pong at once
            self._send_text(b"3")
        elif kind == b"4":
            packet = message[1:2]
            if packet == b"2":  # event
                if self.on_event is not None:
                    start = message.find(b'"', 2) + 1
                    name = message[start : message.find(b'"', start)].decode()
                    self.on_event(name, message, at)
            elif packet == b"3":  # ack
                match = _ACK.match(message)
                if match:
                    future = self._acks.pop(int(match.group(1)), None)
                    if future is not None and not future.done():
                        future.set_result((message[match.end() :], at))
            elif packet == b"0":
                if not self._connected.done():
                    self._connected.set_result(None)
            elif packet == b"4" and not self._connected.done():
                self._connected.set_exception(Refused(message[2:].decode()))


def _mask(data: bytes, mask: bytes) -> bytes:
    if not data:
        return data
    repeated = (mask * (len(data) // 4 + 1))[: len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
        len(data), "big"
    )


def event_payload(raw: bytes) -> Any:
    """The payload of a received event frame (``42["name", payload]``), decoded."""
    return json.loads(raw[2:])[1]
