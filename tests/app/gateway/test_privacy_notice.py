"""The privacy notice: public at /privacy, and linked from the assistant's texts."""

from __future__ import annotations

import re

from integrations.privacy_notice import NOTICE, PRIVACY_LINK_MARK, render
from integrations.rasa_client import parse_rasa_replies


def test_the_notice_is_served_as_a_page_with_the_gateways_policy(make_gateway):
    gateway = make_gateway(public_base_url="https://lavoro.regione.example")
    response = gateway.get("/privacy")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page = response.text
    assert "<h2>1. Titolare del trattamento</h2>" in page
    assert "art. 6, par. 1, lett. e, GDPR" in page
    assert "<table>" in page and "cancella i miei dati" in page
    # The placeholders the Region must fill in stay visible.
    assert "[DA COMPILARE: nome della Regione]" in page
    assert "<script" not in page and "<style" not in page
    assert gateway.get("/static/privacy.css").status_code == 200


def test_every_line_of_the_notice_reaches_the_page():
    page = render(NOTICE.read_text(encoding="utf-8"))
    words = re.findall(r"[A-Za-zÀ-ù]{6,}", NOTICE.read_text(encoding="utf-8"))
    assert [w for w in words if w not in page] == []
    assert "**" not in page and "&lt;" not in page


def test_the_assistants_texts_link_the_notice_on_this_deployment(make_gateway, fake_rasa):
    gateway = make_gateway(public_base_url="https://lavoro.regione.example/")
    response = gateway.post(
        "/api/web/messages",
        json={"session_id": "privacy-link-0001", "text": f"leggi {PRIVACY_LINK_MARK}"},
    )
    assert response.json()["replies"][0]["text"] == (
        "Hai scritto: leggi https://lavoro.regione.example/privacy"
    )


def test_the_mark_is_replaced_in_every_reply():
    body = [{"text": f"Informativa: {PRIVACY_LINK_MARK}"}]
    replies = parse_rasa_replies(body, "http://127.0.0.1:8080")
    assert replies[0].text == "Informativa: http://127.0.0.1:8080/privacy"
