"""Portal to portal, the sending half: a letter to an external unit whose OrganId `EDXML_PEERS`
names is posted to that portal's endpoint with its token, once, through the outbox's retry rules.

The peer here is a small HTTP server that answers as the portal's endpoint does (201 entered,
422 refused with a code, a DocumentId entered before refused as `duplicate`), and can fail as
a network does (a 503, a reply lost after it took the message)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from directives.exchange import edxml
from directives.exchange.transport import PeerUnreachable, transport
from directives.services.exchange import directive_edxml_send
from tests.directives.exchange.test_sending import MINISTRY, PROVINCE, letter, units  # noqa: F401

pytestmark = pytest.mark.django_db

TOKEN = "chia-se-giua-hai-cong"


class FakePeer:
    """What the other portal saw, and how it answers next."""

    def __init__(self) -> None:
        self.entered: dict[str, bytes] = {}
        self.posts: list[tuple[str, str]] = []  # (Authorization, DocumentId)
        self.plan: list[str] = []  # "503", "lose", "refuse"; empty: answer as the endpoint

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        data = handler.rfile.read(int(handler.headers["Content-Length"]))
        root = edxml.safe_parse(data, max_bytes=10**8)
        document_id, _sender = edxml.addressing(root)
        to = root.find(f".//{edxml.q('To')}/{edxml.q('OrganId')}").text
        key = f"{document_id}|{to}"
        self.posts.append((handler.headers.get("Authorization", ""), document_id))
        step = self.plan.pop(0) if self.plan else ""
        if step == "503":
            return self._answer(handler, 503, {"error": "busy"})
        if step == "refuse":
            return self._answer(handler, 422, {"status": "02", "code": "bad_signature"})
        if key in self.entered:
            return self._answer(handler, 422, {"status": "02", "code": "duplicate"})
        self.entered[key] = data
        if step == "lose":  # taken, then the connection drops before the reply
            handler.close_connection = True
            handler.connection.close()
            return None
        return self._answer(handler, 201, {"status": "03", "document_id": document_id})

    @staticmethod
    def _answer(handler, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)


@pytest.fixture
def peer(settings):
    state = FakePeer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            state.handle(self)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/exchange/edxml/"
    settings.EDXML_PEERS = {MINISTRY: {"url": url, "token": TOKEN}}
    settings.EDXML_PEER_TIMEOUT = 5
    yield state
    server.shutdown()
    server.server_close()


def test_the_letter_is_posted_to_the_peer_once_and_the_others_go_to_the_drop_folder(
    letter,  # noqa: F811
    peer,
    outbox,
):
    assert directive_edxml_send(directive_id=letter.pk) == 2
    assert [auth for auth, _ in peer.posts] == [f"Bearer {TOKEN}"]
    assert len(peer.entered) == 1 and MINISTRY in next(iter(peer.entered))
    names = sorted(p.name for p in outbox.glob("*.edxml"))
    assert any(MINISTRY in n for n in names) and any(PROVINCE in n for n in names)
    # The job redelivered, the sweep: nothing posted again.
    assert directive_edxml_send(directive_id=letter.pk) == 0
    assert len(peer.posts) == 1
    assert letter.events.filter(verb="edxml_sent").count() == 2


def test_a_peer_out_of_reach_is_retried_by_the_job_then_posted_once(
    letter,  # noqa: F811
    peer,
    outbox,
):
    peer.plan = ["503"]
    with pytest.raises(PeerUnreachable):  # an OSError: the send_edxml task's backoff
        directive_edxml_send(directive_id=letter.pk)
    assert not transport().sent(next(iter([n for n in _names(letter) if MINISTRY in n])))
    assert directive_edxml_send(directive_id=letter.pk) == 1  # the retry
    assert len(peer.posts) == 2 and len(peer.entered) == 1
    assert directive_edxml_send(directive_id=letter.pk) == 0


def test_a_reply_lost_after_the_peer_took_the_letter_counts_as_delivered(
    letter,  # noqa: F811
    peer,
    outbox,
):
    peer.plan = ["lose"]
    with pytest.raises(PeerUnreachable):
        directive_edxml_send(directive_id=letter.pk)
    # The retry posts again; the peer refuses the DocumentId it has: that is a delivery.
    assert directive_edxml_send(directive_id=letter.pk) == 1
    assert len(peer.entered) == 1 and len(peer.posts) == 2
    assert not (outbox / "refused").exists()
    assert directive_edxml_send(directive_id=letter.pk) == 0
    assert len(peer.posts) == 2
    assert letter.events.filter(verb="edxml_sent", unit__identifier_code=MINISTRY).count() == 1


def test_a_refusal_is_kept_with_its_reason_and_not_retried(letter, peer, outbox):  # noqa: F811
    peer.plan = ["refuse"]
    assert directive_edxml_send(directive_id=letter.pk) == 1  # the drop folder's unit
    refused = list((outbox / "refused").glob("*.edxml"))
    assert len(refused) == 1 and MINISTRY in refused[0].name
    reason = refused[0].with_name(refused[0].name + ".reason.txt").read_text()
    assert "bad_signature" in reason
    assert directive_edxml_send(directive_id=letter.pk) == 0
    assert len(peer.posts) == 1


def test_a_second_worker_posting_at_the_same_time_posts_nothing(letter, peer, outbox):  # noqa: F811
    name = next(n for n in _names(letter) if MINISTRY in n)
    out = transport()
    claim = out._claim(name)  # a first worker is posting it
    assert claim is not None
    assert out.send(name, b"<edXML/>", to=MINISTRY) is False
    assert peer.posts == []
    claim.unlink()


def _names(directive):
    from directives.services.exchange import edxml_units, letter_message_name

    return [letter_message_name(directive, u) for u in edxml_units(directive)]
