"""The events distribution consumes (PolicyIssued, PolicyCancelled, MemberInvited), read into their
insuremall.events dataclasses, so consumers use one schema and no consumer reads a raw payload.

A consumer reads only the fields it needs, and it has always accepted an event missing the others
(an older producer's, or a payload a test made by hand): a field the payload lacks takes its
dataclass default, or None when the field has none. `Event.from_payload` would refuse such an event.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from insuremall import events

E = TypeVar("E", bound=events.Event)


def read(cls: type[E], payload: dict[str, Any] | E) -> E:
    """The typed event of `payload` (a typed event is returned as it is)."""
    if isinstance(payload, cls):
        return payload
    given = {}
    for f in dataclasses.fields(cls):
        if f.name in payload:
            given[f.name] = payload[f.name]
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            given[f.name] = None
    return cls(**given)
