"""Keep Socket.IO's packet traces out of every log, whatever level an operator sets.

Below WARNING, Engine.IO logs each packet with its data and the socket id ("Received
packet MESSAGE data 2["cast_ballot", ...]"), and Socket.IO each event with the socket id:
a cast ballot's choice next to the voter's connection. ``logger=False`` only sets their
level, which a later logging configuration can lower again; a filter on the loggers
themselves holds (docs/ballot-secrecy.md).
"""

from __future__ import annotations

import logging

TRAFFIC_LOGGERS = ("engineio.server", "socketio.server", "engineio.client", "socketio.client")


class DropTraffic(logging.Filter):
    """Let only warnings and errors through: those never carry a packet's data."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


def silence_packet_traces() -> None:
    for name in TRAFFIC_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, DropTraffic) for f in logger.filters):
            logger.addFilter(DropTraffic())
