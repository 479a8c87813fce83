"""The search page: every member may open it; what it lists is what they may see."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import mark_otp_verified
from safecase.accounts.models import User
from safecase.demo.personas import DEMO_PASSWORD
from safecase.insight.tests.conftest import SearchWorld, add_concern, add_person
from safecase.insight.tests.test_search import HOSTILE

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.post("/login/", {"email": user.email, "password": DEMO_PASSWORD})
    mark_otp_verified(client, user)
    return client


def test_hits_link_to_their_records(search_world: SearchWorld) -> None:
    client = client_for(search_world.world.users["lead"])
    response = client.get("/search/", {"q": "Ashworth"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/people/{search_world.id("zoe")}/"' in html
    assert f'href="/concerns/{search_world.id("reporter_concern")}/"' in html
    assert f'href="/people/{search_world.id("decoy_person")}/"' not in html
    assert "Zoë Ashworth" in html


def test_the_reporter_finds_her_own_concern_and_nothing_else(search_world: SearchWorld) -> None:
    client = client_for(search_world.world.users["reporter"])
    html = client.get("/search/", {"q": "Ashworth OR Bright"}).content.decode()
    assert f'href="/concerns/{search_world.id("reporter_concern")}/"' in html
    assert "/people/" not in html.split('id="main-content"')[-1]
    assert "Tom Bright" not in html


def test_an_empty_query_searches_nothing(search_world: SearchWorld) -> None:
    client = client_for(search_world.world.users["lead"])
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = client.get("/search/", params)
        assert response.status_code == 200
        assert "Results for" not in response.content.decode()
        assert response.context["hits"] == []


def test_a_query_over_100_characters_is_refused_with_a_message(
    search_world: SearchWorld,
) -> None:
    client = client_for(search_world.world.users["lead"])
    response = client.get("/search/", {"q": "Ashworth " + "x" * 100})
    assert response.status_code == 200
    assert response.context["hits"] == []
    assert "at most 100 characters" in response.content.decode()
    assert 'maxlength="100"' in response.content.decode()


@pytest.mark.parametrize("typed", HOSTILE)
def test_hostile_input_answers_200(search_world: SearchWorld, typed: str) -> None:
    client = client_for(search_world.world.users["lead"])
    response = client.get("/search/", {"q": typed})
    assert response.status_code == 200


def test_text_is_escaped(search_world: SearchWorld) -> None:
    add_person(search_world.world, "lead", "<script>alert(1)</script>", "Ashworth")
    client = client_for(search_world.world.users["lead"])
    html = client.get("/search/", {"q": "Ashworth script"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_page_takes_the_same_number_of_queries_however_much_there_is(
    search_world: SearchWorld,
) -> None:
    client = client_for(search_world.world.users["lead"])
    client.get("/search/", {"q": "Ashworth"})

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/search/", {"q": "Ashworth OR bruise"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for i in range(20):
        add_person(search_world.world, "lead", f"More{i}", "Ashworth")
        add_concern(search_world.world, "reporter", f"More{i} Ashworth", "A bruise again.")
    assert len(client.get("/search/", {"q": "Ashworth OR bruise"}).context["hits"]) > 20
    assert queries() == before


def test_signed_out_visitors_are_sent_to_sign_in(db: None) -> None:
    response = Client().get("/search/", {"q": "Ashworth"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]
