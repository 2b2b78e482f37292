"""Every UI string exists in Bahasa Indonesia and English, and every key the code uses exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from apps import i18n

APPS = Path(i18n.__file__).parent
_KEY_CALL = re.compile(r"""\bt\(\s*(?:f?)["']([a-z0-9_.]+)["']""")


def test_every_key_has_both_languages() -> None:
    assert i18n.missing_keys() == {}
    for key, texts in i18n.STRINGS.items():
        assert set(texts) == set(i18n.LANGS), key


def test_languages_differ_where_they_should() -> None:
    # a table where most "translations" equal the original is not translated
    same = [k for k, v in i18n.STRINGS.items() if v["id"] == v["en"]]
    assert len(same) < 0.15 * len(i18n.STRINGS), same


def test_every_literal_key_used_in_the_code_exists() -> None:
    used: set[str] = set()
    for py in APPS.rglob("*.py"):
        used.update(_KEY_CALL.findall(py.read_text(encoding="utf-8")))
    assert used, "no t(...) calls found: the pattern is wrong"
    # "period." + name: a dynamic key; its family must exist
    prefixes = {k for k in used if k.endswith(".")}
    missing = sorted(k for k in used - prefixes if k not in i18n.STRINGS)
    assert missing == []
    for p in prefixes:
        assert any(k.startswith(p) for k in i18n.STRINGS), p
    for fam, names in (
        ("period.", ("am_peak", "midday", "pm_peak")),
        ("wall.view.", ("congestion", "complaints", "atcs")),
    ):
        assert all(fam + n in i18n.STRINGS for n in names)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_format_fields_are_the_same_in_both_languages(lang: str) -> None:
    field = re.compile(r"\{(\w+)")
    for key, texts in i18n.STRINGS.items():
        assert set(field.findall(texts[lang])) == set(field.findall(texts["id"])), key


def test_default_is_indonesian_and_unknown_falls_back() -> None:
    assert i18n.DEFAULT_LANG == "id"
    assert i18n.t("nav.wall") == "Ruang Kendali"
    assert i18n.t("nav.wall", "en") == "Command center"
    assert i18n.t("nav.wall", "xx") == "Ruang Kendali"
    with pytest.raises(KeyError):
        i18n.t("no.such.key")
