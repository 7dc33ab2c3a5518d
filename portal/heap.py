"""The web process's garbage collector, set once at start (portal/wsgi.py, portal/asgi.py).

A page with many rows (the tracking matrix of a 500-unit letter: 2,000 cells, 500 dispatches
and their units) makes some 20,000 objects. With Python's defaults (a young collection every
700 new objects) they are promoted to the oldest generation while the page is being built, and
they stay there after it is sent, because Django's template context holds them in a reference
cycle (`Context` and its `ContextDict`). A full collection then came every few such pages and
walked everything the process holds, its imports included (some 230,000 objects): 150 to 270 ms
of a request, the matrix's slow samples.
"""

from __future__ import annotations

import gc

from django.urls import get_resolver

# New objects between two young collections: a page's objects then mostly die young (the
# previous page's cycle is found and freed by the next young pass) instead of being promoted
# to the oldest generation by dozens of young passes while it is built. Python's default is 700.
YOUNG_THRESHOLD = 50_000


def heap_settle() -> None:
    """Import every view (the URLconf and all it imports), then move what the process holds
    after start into the collector's permanent generation, never walked again, and collect the
    young generation less often."""
    get_resolver().url_patterns  # noqa: B018 (imported for its side effect)
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
