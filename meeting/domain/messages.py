"""Human-readable messages that the domain returns without knowing the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Message:
    """A sentence for a person: an English template (the catalogue's msgid) and its values.

    The web layer translates ``template`` through the message catalogue and fills in
    ``params`` (a param that is itself a Message is translated too); ``str()`` gives the
    English text for logs and tests.
    """

    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if not self.params:
            return self.template
        return self.template % {
            k: str(v) if isinstance(v, Message) else v for k, v in self.params.items()
        }

    def __hash__(self) -> int:
        return hash((self.template, tuple(sorted(self.params.items()))))

    def to_data(self) -> dict[str, Any]:
        """The message as stored in a JSON column (a result's reason, a quorum snapshot)."""
        return {"template": self.template, "params": self.params}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Message:
        return cls(data["template"], dict(data.get("params") or {}))


def msg(template: str, **params: Any) -> Message:
    """Mark a template for the catalogue (extracted by the ``msg`` keyword) and bind its values."""
    return Message(template, params)
