"""The directory: units by kind, groups with their members, searchable without accents."""

from __future__ import annotations

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recipients import roles
from recipients.models import Unit
from tests.factories import RecipientGroupFactory, UnitFactory

pytestmark = pytest.mark.django_db
URL = "/recipients/directory/"


def seen(response) -> dict:
    """What the directory page shows: units under their kind's heading (name, code, e-mail
    links), groups with their count and members, the search box's value, the admin link."""
    page = lxml.html.fromstring(response.content)
    units: dict[str, list[tuple[str, str, list[str]]]] = {}
    for heading in page.xpath("//section[@aria-labelledby='units-heading']//h3"):
        rows = heading.xpath("following-sibling::div[1]//tr[@data-testid='unit']")
        units[heading.text_content().strip()] = [
            (
                row.xpath("td[1]/text()")[0].strip(),
                row.xpath("string(td[2])").strip(),
                row.xpath("td[4]//a/@href"),
            )
            for row in rows
        ]
    groups = {
        group.xpath("string(.//summary//strong)"): (
            group.xpath("string(.//summary//span[contains(@class, 'badge')])").strip(),
            [li.text.strip() for li in group.xpath(".//ol/li")],
        )
        for group in page.xpath("//*[@data-testid='group']")
    }
    return {
        "units": units,
        "groups": groups,
        "query": page.xpath("string(//input[@name='q']/@value)"),
        "edit_link": bool(page.xpath("//a[@href='/admin/recipients/unit/']")),
    }


def test_the_page_shows_units_by_kind_and_groups_and_searches(client, role_user):
    """What a clerk sees, from the HTML: active units under their kind, with code and e-mail
    links; groups with their current members; a search narrows both and keeps the query."""
    chupah = UnitFactory(
        code="UBND.CHUPAH",
        name="Ủy ban nhân dân huyện Chư Păh",
        kind="district_committee",
        contact_emails="chupah@gialai.gov.vn, vanthu.chupah@gialai.gov.vn",
    )
    UnitFactory(code="BAOGL", name="Báo Gia Lai", kind="press")
    UnitFactory(
        code="GIAITHE", name="Huyện đã giải thể", kind="district_committee", is_active=False
    )
    RecipientGroupFactory(name="UBND các huyện", kinds=["district_committee"])
    RecipientGroupFactory(name="Báo chí", units=[Unit.objects.get(code="BAOGL")])
    client.force_login(role_user(roles.CLERK, unit=chupah))

    everything = seen(client.get(URL))
    assert everything == {
        "units": {
            "Ủy ban nhân dân cấp huyện": [
                (
                    "Ủy ban nhân dân huyện Chư Păh",
                    "UBND.CHUPAH",
                    ["mailto:chupah@gialai.gov.vn", "mailto:vanthu.chupah@gialai.gov.vn"],
                )
            ],
            "Cơ quan báo chí": [("Báo Gia Lai", "BAOGL", ["mailto:baogl@gialai.gov.vn"])],
        },
        "groups": {
            "UBND các huyện": ("1 đơn vị", ["Ủy ban nhân dân huyện Chư Păh"]),
            "Báo chí": ("1 đơn vị", ["Báo Gia Lai"]),
        },
        "query": "",
        "edit_link": False,  # a clerk reads the lists; only an administrator edits them
    }

    found = seen(client.get(URL, {"q": "chu pah"}))
    assert found["units"] == {
        "Ủy ban nhân dân cấp huyện": everything["units"]["Ủy ban nhân dân cấp huyện"]
    }
    assert found["groups"] == {} and found["query"] == "chu pah"
    nothing = client.get(URL, {"q": "không có đơn vị này"})
    assert seen(nothing)["units"] == {}
    assert "Không tìm thấy đơn vị phù hợp." in nothing.content.decode()


def test_an_administrator_sees_the_way_to_edit_the_lists(client, administrator):
    client.force_login(administrator)
    assert seen(client.get(URL))["edit_link"] is True


@pytest.mark.parametrize("role", [roles.CLERK, roles.DRAFTER, roles.SIGNER, roles.ADMINISTRATOR])
def test_directory_opens_for_desk_roles(client, role_user, role):
    UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông", contact_emails="a@gialai.gov.vn")
    client.force_login(role_user(role))
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sở Thông tin và Truyền thông" in page and "mailto:a@gialai.gov.vn" in page


def test_unit_officer_is_refused(client, role_user):
    client.force_login(role_user(roles.UNIT_OFFICER))
    assert client.get(URL).status_code == 403


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.fixture
def clerk_client(client, role_user):
    # No unit of their own, so the lists hold only the units each test makes.
    client.force_login(role_user(roles.CLERK, unit=None))
    return client


@pytest.mark.parametrize("query", ["chu pah", "Chư Păh", "CHƯ PĂH", "pah chu", "UBND.CHUPAH"])
def test_search_accents_optional(clerk_client, query):
    UnitFactory(code="UBND.CHUPAH", name="Ủy ban nhân dân huyện Chư Păh", kind="district_committee")
    UnitFactory(code="UBND.CHUSE", name="Ủy ban nhân dân huyện Chư Sê", kind="district_committee")
    response = clerk_client.get(URL, {"q": query})
    names = [u.name for u in response.context["page"].object_list]
    assert names == ["Ủy ban nhân dân huyện Chư Păh"]


def test_units_are_grouped_by_kind_in_kind_order(clerk_client):
    UnitFactory(name="Báo Gia Lai", kind="press")
    UnitFactory(name="Sở Nội vụ", kind="department")
    UnitFactory(name="UBND tỉnh Gia Lai", kind="provincial_committee")
    UnitFactory(name="Đã giải thể", kind="department", is_active=False)
    page = clerk_client.get(URL).context["page"]
    assert [u.name for u in page.object_list] == ["UBND tỉnh Gia Lai", "Sở Nội vụ", "Báo Gia Lai"]


def test_kind_filter_and_htmx_partial(clerk_client):
    UnitFactory(name="Báo Gia Lai", kind="press")
    UnitFactory(name="Sở Nội vụ", kind="department")
    response = clerk_client.get(URL, {"kind": "press"}, headers={"HX-Request": "true"})
    assert [u.name for u in response.context["page"].object_list] == ["Báo Gia Lai"]
    assert "<html" not in response.content.decode()


def test_groups_show_their_current_members(clerk_client):
    press = UnitFactory(name="Báo Gia Lai", kind="press")
    UnitFactory(name="UBND huyện Kbang", kind="district_committee")
    RecipientGroupFactory(name="Các cơ quan báo chí địa phương", units=[press])
    RecipientGroupFactory(name="Ủy ban nhân dân các huyện", kinds=["district_committee"])
    page = clerk_client.get(URL).content.decode()
    assert "Các cơ quan báo chí địa phương" in page
    assert page.count('data-testid="group"') == 2
    groups = clerk_client.get(URL, {"q": "uy ban nhan dan cac huyen"}).context["groups"]
    assert [[u.name for u in g.units] for g in groups] == [["UBND huyện Kbang"]]


def _fill(n: int) -> None:
    for _ in range(n):
        unit = UnitFactory(kind="district_committee")
        UnitFactory(kind="division", parent=unit)
    for _ in range(3):
        RecipientGroupFactory(kinds=["district_committee"])


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return len(ctx.captured_queries)


def test_directory_query_count_does_not_grow(clerk_client):
    _fill(5)
    small = _queries(clerk_client)
    _fill(45)
    large = _queries(clerk_client)
    assert small == large
    assert large <= 12


def test_pagination(clerk_client):
    for i in range(105):
        UnitFactory(name=f"Đơn vị {i:03d}")
    first = clerk_client.get(URL).context["page"]
    second = clerk_client.get(URL, {"page": 2}).context["page"]
    assert len(first.object_list) == 100 and len(second.object_list) == 5
