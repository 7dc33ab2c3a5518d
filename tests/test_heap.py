"""The web process settles its garbage collector at start (portal/heap.py): its views imported,
what it holds then frozen out of full collections, young collections every 50,000 objects. Run
in a process of its own, as gunicorn loads portal.wsgi."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc, json, sys
import portal.wsgi
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "young": gc.get_threshold()[0],
    "views": "directives.views.tracking" in sys.modules,
}))
"""


def test_the_web_process_freezes_its_start_up_heap():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["views"]  # imported at start, so frozen with the rest
    assert probe["frozen"] > 50_000
    assert probe["young"] == 50_000
