"""`make bench`: the speed and memory targets of the portal, measured on this machine.

Each benchmark module in this package exposes `run() -> list[str]` (lines of the report).
Run one with `make bench BENCH_ARGS=pdf`. `faults` (`make faults`: recovery from each fault of
issue 14, about a quarter of an hour) runs only when named.
"""

from __future__ import annotations

import importlib
import os
import sys

BENCHMARKS = ("pdf", "fanout", "matrix", "sign2", "scale")
BY_NAME_ONLY = ("faults",)


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    chosen = argv or list(BENCHMARKS)
    for name in chosen:
        try:
            module = importlib.import_module(f"tests.bench.{name}")
        except ModuleNotFoundError:
            print(f"[{name}] not written yet")
            continue
        print(f"== {name} ==")
        for line in module.run():
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
