"""Benchmark of the signed letter: render and sign a one-page and a three-page letter.

Times the production function, `directives.documents.signing.render_and_sign_bytes` (what the
PDF job runs for a letter with no signer's revision), not a copy of it. Reports the median of
its time, of the signature within it (`sign_pdf_bytes`, timed as it is called) and of the rest
(the render), the ratio of the whole to a bare WeasyPrint render of the same HTML (same run),
and the worker's peak memory, measured in a fresh subprocess so that earlier work does not
inflate it. Targets: ratio <= 1.5, one-page render+sign < 0.4 s median. A throwaway test
database is created and destroyed.
"""

from __future__ import annotations

import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROUNDS = int(os.environ.get("BENCH_PDF_ROUNDS", "7"))


def _letters():
    from tests.directives.pdf.sample import build_sample_letter
    from tests.factories import DirectiveFactory

    one_page = DirectiveFactory(
        number=15,
        symbol="STTTT-TTBCXB",
        issued_on=datetime.date(2026, 3, 12),
        status="issued",
        body="\n\n".join(
            "Sở Thông tin và Truyền thông đề nghị các đơn vị quán triệt, triển khai thực hiện "
            "nghiêm túc Bộ Quy tắc ứng xử trên mạng xã hội; báo cáo kết quả trước ngày 30."
            for _ in range(4)
        ),
    )
    three_page = build_sample_letter(
        body="\n\n".join(
            f"{i}. Ủy ban nhân dân các huyện, thị xã, thành phố tổ chức thực hiện nghiêm túc, "
            "bảo đảm đúng tiến độ và chất lượng; báo cáo kết quả về Sở Thông tin và Truyền "
            "thông trước ngày 15 hằng tháng để tổng hợp, báo cáo Ủy ban nhân dân tỉnh."
            for i in range(1, 20)
        )
    )
    return {"one-page": one_page, "three-page": three_page}


@contextmanager
def _observed(module, name: str, calls: list[tuple[float, object]]):
    """Record (seconds, result) of each call of `module.name` while inside: the production
    function runs unchanged; only what it calls by that name is timed and kept."""
    original = getattr(module, name)

    def observed(*args, **kwargs):
        begin = time.perf_counter()
        result = original(*args, **kwargs)
        calls.append((time.perf_counter() - begin, result))
        return result

    setattr(module, name, observed)
    try:
        yield
    finally:
        setattr(module, name, original)


def _measure(directive, key) -> dict:
    """Time the production function, `signing.render_and_sign_bytes`, as the PDF job calls it;
    its signature is the time of the `sign_pdf_bytes` it calls, its render the rest. The bare
    WeasyPrint render is of the very HTML it rendered."""
    from weasyprint import HTML

    from directives.documents import signing

    renders, signs, totals, bares = [], [], [], []
    pages = 0
    for _ in range(ROUNDS):
        htmls: list[tuple[float, object]] = []
        documents: list[tuple[float, object]] = []
        signatures: list[tuple[float, object]] = []
        with (
            _observed(signing, "render_directive_html", htmls),
            _observed(signing, "html_to_document", documents),
            _observed(signing, "sign_pdf_bytes", signatures),
        ):
            start = time.perf_counter()
            signing.render_and_sign_bytes(directive, key=key)
            total = time.perf_counter() - start
        (_html_s, html), (sign_s, _signed) = htmls[0], signatures[0]
        totals.append(total)
        signs.append(sign_s)
        renders.append(total - sign_s)
        pages = len(documents[0][1].pages)
        bare_start = time.perf_counter()
        HTML(string=html).write_pdf()
        bares.append(time.perf_counter() - bare_start)
    return {
        "pages": pages,
        "render": statistics.median(renders),
        "sign": statistics.median(signs),
        "total": statistics.median(totals),
        "bare": statistics.median(bares),
    }


def _with_test_db(work):
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        return work()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def _key(tmp: Path):
    from directives.documents.pki import pki_create
    from directives.documents.signing import _key as load_key

    files = pki_create(
        directory=tmp, organisation="Sở Thông tin và Truyền thông Gia Lai", password="bench"
    )
    return load_key(files.org_p12, files.password)


def _child_peak_memory() -> str:
    """Render and sign both letters in a fresh process; report its peak RSS."""
    env = {**os.environ, "BENCH_PDF_CHILD": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench.pdf"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        return f"peak memory: not measured ({result.stderr.strip()[-200:]})"
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return f"peak memory of a worker rendering and signing both letters: {data['maxrss_mb']:.0f} MB"


def run() -> list[str]:
    def work():
        with tempfile.TemporaryDirectory() as tmp:
            key = _key(Path(tmp))
            lines = []
            for label, directive in _letters().items():
                _measure(directive, key)  # warm-up: fonts, templates, imports
                m = _measure(directive, key)
                ratio = m["total"] / m["bare"]
                lines.append(
                    f"{label} ({m['pages']} p.): render {m['render'] * 1000:.0f} ms, "
                    f"sign {m['sign'] * 1000:.0f} ms, render+sign {m['total'] * 1000:.0f} ms, "
                    f"bare WeasyPrint {m['bare'] * 1000:.0f} ms, ratio {ratio:.2f} "
                    f"(target <= 1.5){'' if ratio <= 1.5 else '  MISSED'}"
                    + (
                        f"; one-page target < 400 ms{'' if m['total'] < 0.4 else '  MISSED'}"
                        if label == "one-page"
                        else ""
                    )
                )
            return lines

    lines = _with_test_db(work)
    lines.append(_child_peak_memory())
    lines.append(f"(medians of {ROUNDS} rounds after a warm-up)")
    return lines


def _child() -> None:
    import resource

    def work():
        with tempfile.TemporaryDirectory() as tmp:
            key = _key(Path(tmp))
            for directive in _letters().values():
                _measure(directive, key)

    _with_test_db(work)
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"maxrss_mb": maxrss_kb / 1024}))


if __name__ == "__main__" and os.environ.get("BENCH_PDF_CHILD") == "1":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["BENCH_PDF_ROUNDS"] = "1"
    import django

    django.setup()
    ROUNDS = 1
    _child()
