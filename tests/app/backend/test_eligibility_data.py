"""The eligibility data files: every figure dated and sourced, and mistakes refused."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from backend.services.eligibility.loader import DATA_DIR, load, rule_book
from backend.services.eligibility.model import Dated


def _contiguous(versions: list[Dated]) -> bool:
    return all(
        a.valid_to is not None and (b.valid_from - a.valid_to).days == 1
        for a, b in pairwise(versions)
    )


def test_the_five_measures_are_there():
    assert set(rule_book().measures) == {"adi", "sfl", "gol", "rdc", "naspi"}


def test_every_version_has_dates_a_source_and_its_evidence():
    for measure in rule_book().measures.values():
        for rule in measure.rules:
            assert _contiguous(list(rule.versions)), f"{measure.code}.{rule.id} has a gap"
            for version in rule.versions:
                assert version.source.strip()
                assert version.evidence in ("official", "secondary")
        for item in measure.benefits + measure.other_requirements:
            assert _contiguous(list(item.versions)), f"{measure.code}.{item.id} has a gap"
            assert all(v.source.strip() for v in item.versions)


def test_every_fact_has_an_italian_question_and_is_used():
    book = rule_book()
    used = {
        cond.fact
        for measure in book.measures.values()
        for rule in measure.rules
        for cond in rule.conditions()
    } | {rule.fact for m in book.measures.values() for rule in m.rules if rule.fact}
    assert set(book.catalogue.facts) == used
    for fact in book.catalogue.facts.values():
        assert "?" in fact.question


def test_the_thresholds_of_domain_facts_are_the_ones_in_the_files():
    measures = rule_book().measures

    def values(measure: str, rule_id: str) -> list[object]:
        rule = next(r for r in measures[measure].rules if r.id == rule_id)
        return [(str(v.valid_from), str(v.valid_to), v.value) for v in rule.versions]

    assert values("sfl", "isee") == [
        ("2023-09-01", "2024-12-31", 6000),
        ("2025-01-01", "None", 10140),
    ]
    assert values("adi", "isee") == [
        ("2024-01-01", "2024-12-31", 9360),
        ("2025-01-01", "None", 10140),
    ]
    assert measures["gol"].valid_to is not None
    assert str(measures["gol"].valid_to) == "2026-06-30"
    assert str(measures["rdc"].valid_to) == "2023-12-31"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "eligibility"
    shutil.copytree(DATA_DIR, copy)
    return copy


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_overlapping_versions_are_refused(data_copy):
    def overlap(data: dict[str, Any]) -> None:
        isee = next(r for r in data["rules"] if r["id"] == "isee")
        isee["versions"][0]["valid_to"] = "2025-01-01"

    _edit(data_copy / "sfl.yml", overlap)
    with pytest.raises(ValidationError, match="must end before"):
        load(data_copy)


def test_a_version_without_a_source_is_refused(data_copy):
    def unsourced(data: dict[str, Any]) -> None:
        data["rules"][0]["versions"][0].pop("source")

    _edit(data_copy / "adi.yml", unsourced)
    with pytest.raises(ValidationError, match="source"):
        load(data_copy)


def test_a_rule_on_an_unknown_fact_is_refused(data_copy):
    def typo(data: dict[str, Any]) -> None:
        isee = next(r for r in data["rules"] if r["id"] == "isee")
        isee["fact"] = "iseee"

    _edit(data_copy / "sfl.yml", typo)
    with pytest.raises(ValueError, match="unknown fact 'iseee'"):
        load(data_copy)


def test_a_new_threshold_is_picked_up_from_its_date(data_copy):
    """What an operator does when the law changes (docs/backend.md)."""

    def new_law(data: dict[str, Any]) -> None:
        isee = next(r for r in data["rules"] if r["id"] == "isee")
        isee["versions"][-1]["valid_to"] = "2027-12-31"
        isee["versions"].append(
            {
                "valid_from": "2028-01-01",
                "value": 11000,
                "source": "L. di Bilancio 2028 (esempio)",
                "evidence": "official",
            }
        )

    _edit(data_copy / "sfl.yml", new_law)
    book = load(data_copy)
    rule = next(r for r in book.measures["sfl"].rules if r.id == "isee")
    assert [v.value for v in rule.versions] == [6000, 10140, 11000]
