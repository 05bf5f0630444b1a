"""The real collaborators of the catalog's use cases, built in one place: the routes and catalog.api pass
these in; the unit tests pass in-memory fakes instead."""

from __future__ import annotations

from catalog import store as _store
from insuremall.clock import utc_now

# The store module is the collaborator itself (its functions are the interface the use cases call).
store = _store
# The clock: now, as an aware UTC datetime.
now = utc_now
