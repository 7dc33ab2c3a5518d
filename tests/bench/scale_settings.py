"""The portal's own settings, with one trivial view added for the scale bench's throughput floor
(tests/bench/scale.py): the same middleware, session and sign-in, no query of its own."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.scale_urls"
