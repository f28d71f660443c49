"""The address phones should use: what a QR card encodes and what `meeting serve` prints."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app, request


def lan_address() -> str:
    """This computer's address on the local network, or 127.0.0.1 if it has none.

    Connecting a UDP socket only picks the outgoing interface; no packet is sent, so this
    works in a hall with a Wi-Fi router and no internet.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def join_base_url() -> str:
    """Where phones reach this server: the configured public URL; else the address the staff
    browser used, unless that is this computer's loopback, which a phone cannot reach."""
    configured = current_app.extensions["meeting.settings"].server.public_url
    if configured:
        return configured
    if current_app.config.get("JOIN_BASE_URL"):
        return current_app.config["JOIN_BASE_URL"]
    parts = urlsplit(request.host_url)
    if parts.hostname and not is_loopback(parts.hostname):
        return request.host_url.rstrip("/")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{lan_address()}{port}"
