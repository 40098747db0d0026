"""The transforms step, PRODUCT.md §3: the four built-ins and plugging another one in."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadport.domain import transforms
from leadport.domain.transforms import (
    BUILTIN_TRANSFORMS,
    Transform,
    load_transforms,
    proper_case,
    split_legal_suffix,
    split_name,
)
from leadport.errors import UsageError


def run(name: str, record: dict[str, str]) -> dict[str, str]:
    return BUILTIN_TRANSFORMS[name].apply(dict(record))


# ---------------------------------------------------------------------------- proper_case_names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jean-PIERRE o'NEIL", "Jean-Pierre O'Neil"),
        ("mcdonald", "McDonald"),
        ("JOHN", "John"),
        ("ÉLODIE", "Élodie"),
        ("vincent VAN GOGH", "Vincent van Gogh"),
        ("DE LA CRUZ", "De la Cruz"),
        ("john smith iii", "John Smith III"),
        ("d’arcy", "D’Arcy"),
    ],
)
def test_proper_case_fixes_names_typed_in_one_case(raw: str, expected: str) -> None:
    assert proper_case(raw) == expected


@pytest.mark.parametrize(
    "name",
    ["McDonald", "DiCaprio", "van Gogh", "Jean-Pierre", "O'Neil", "de la Cruz", "J. R.", "Ann"],
)
def test_proper_case_leaves_properly_cased_names_alone(name: str) -> None:
    assert proper_case(name) == name


def test_proper_case_names_touches_first_last_and_full_names_only() -> None:
    record = {
        "first_name": "ANN",
        "last_name": "o'neil",
        "full_name": "ann o'neil",
        "job_title": "CEO",
    }
    assert run("proper_case_names", record) == {
        "first_name": "Ann",
        "last_name": "O'Neil",
        "full_name": "Ann O'Neil",
        "job_title": "CEO",
    }


@given(st.text(alphabet="abcdeABCDE -'ÉéMmc", max_size=20))
def test_proper_case_is_idempotent(name: str) -> None:
    assert proper_case(proper_case(name)) == proper_case(name)


# ------------------------------------------------------------------------------ split_full_name


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("John Doe", "John", "Doe"),
        ("Doe, John", "John", "Doe"),
        ("Dr. John Doe", "John", "Doe"),
        ("Prof. Dr. Hans Müller", "Hans", "Müller"),
        ("Juan García López", "Juan", "García López"),
        ("John A. Doe", "John", "Doe"),
        ("Vincent van Gogh", "Vincent", "van Gogh"),
        ("John Doe Jr.", "John", "Doe Jr."),
        ("Ms. Ann-Marie O'Neil PhD", "Ann-Marie", "O'Neil"),
        ("Madonna", "Madonna", ""),
    ],
)
def test_split_name_gives_first_and_last(full: str, first: str, last: str) -> None:
    assert split_name(full) == (first, last)


def test_split_full_name_fills_empty_first_and_last_names() -> None:
    assert run("split_full_name", {"full_name": "Doe, John", "email": "j@x.com"}) == {
        "full_name": "Doe, John",
        "email": "j@x.com",
        "first_name": "John",
        "last_name": "Doe",
    }


def test_split_full_name_never_overwrites_a_given_name() -> None:
    record = {"full_name": "John Doe", "first_name": "Johnny"}
    assert run("split_full_name", record) == {**record, "last_name": "Doe"}
    both = {"full_name": "John Doe", "first_name": "J", "last_name": "D"}
    assert run("split_full_name", both) == both
    assert run("split_full_name", {"email": "a@x.com"}) == {"email": "a@x.com"}


# ---------------------------------------------------------------------------- domain_from_email


def test_domain_from_email_takes_the_domain_of_a_work_email() -> None:
    assert run("domain_from_email", {"email": "Ann@EU.Acme.com"}) == {
        "email": "Ann@EU.Acme.com",
        "company_domain": "acme.com",
    }


@pytest.mark.parametrize(
    "record",
    [
        {"email": "ann@gmail.com"},
        {"email": "ann@yahoo.co.uk"},
        {"email": "not an email"},
        {"email": "ann@acme.com", "company_domain": "acme.io"},
        {"company_name": "Acme"},
    ],
)
def test_domain_from_email_leaves_free_mail_invalid_and_given_domains_alone(
    record: dict[str, str],
) -> None:
    assert run("domain_from_email", record) == record


# --------------------------------------------------------------------------- strip_legal_suffix


@pytest.mark.parametrize(
    ("company", "base", "suffix"),
    [
        ("Acme Corp., Inc.", "Acme Corp", "Inc."),
        ("Acme, LLC", "Acme", "LLC"),
        ("Siemens AG", "Siemens", "AG"),
        ("Total S.A.", "Total", "S.A."),
        ("ACME GmbH & Co. KG", "ACME", "GmbH & Co. KG"),
        ("Société  Générale SA", "Société Générale", "SA"),
        ("Acme", "Acme", ""),
        ("Inc.", "Inc.", ""),
    ],
)
def test_split_legal_suffix_uses_cleanco(company: str, base: str, suffix: str) -> None:
    assert split_legal_suffix(company) == (base, suffix)


def test_strip_legal_suffix_moves_the_suffix_to_a_custom_field() -> None:
    assert run("strip_legal_suffix", {"company_name": "Acme, Inc."}) == {
        "company_name": "Acme",
        "custom:company_legal_suffix": "Inc.",
    }
    assert run("strip_legal_suffix", {"company_name": "Acme"}) == {"company_name": "Acme"}


def test_strip_legal_suffix_keeps_a_suffix_the_file_gave() -> None:
    record = {"company_name": "Acme SAS", "custom:company_legal_suffix": "SASU"}
    assert run("strip_legal_suffix", record) == {
        "company_name": "Acme",
        "custom:company_legal_suffix": "SASU",
    }


# -------------------------------------------------------------------------------------- loading


def test_the_builtins_have_the_documented_names_and_follow_the_protocol() -> None:
    assert list(BUILTIN_TRANSFORMS) == [
        "proper_case_names",
        "split_full_name",
        "domain_from_email",
        "strip_legal_suffix",
    ]
    for name, transform in BUILTIN_TRANSFORMS.items():
        assert isinstance(transform, Transform)
        assert transform.name == name
        assert transform.description


def test_load_transforms_keeps_the_order_given_and_drops_repeats() -> None:
    loaded = load_transforms(["split_full_name", "proper_case_names", "split_full_name", " "])
    assert [t.name for t in loaded] == ["split_full_name", "proper_case_names"]
    assert load_transforms([]) == []


def test_an_unknown_transform_is_refused_listing_the_available_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transforms, "_entry_points", lambda: [])
    with pytest.raises(UsageError) as refused:
        load_transforms(["proper_case_names", "guess_gender"])
    assert refused.value.message == (
        "Unknown transform 'guess_gender'; available: domain_from_email, proper_case_names, "
        "split_full_name, strip_legal_suffix."
    )


class Shout:
    """Stands in for a model-backed transform shipped by another package."""

    name = "shout"
    description = "Job titles in capitals."

    def apply(self, record: dict[str, str]) -> dict[str, str]:
        if "job_title" in record:
            record["job_title"] = record["job_title"].upper()
        return record


def test_a_transform_object_can_be_given_in_a_registry() -> None:
    shout = Shout()
    loaded = load_transforms(["shout"], registry={"shout": shout})
    assert loaded == [shout]
    assert loaded[0].apply({"job_title": "cto"}) == {"job_title": "CTO"}
    with pytest.raises(UsageError, match="available: shout"):
        load_transforms(["proper_case_names"], registry={"shout": shout})


def _plugins(*entries: tuple[str, str]) -> list[EntryPoint]:
    return [EntryPoint(name=n, value=v, group=transforms.ENTRY_POINT_GROUP) for n, v in entries]


def test_an_installed_plugin_is_loaded_by_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        transforms, "_entry_points", lambda: _plugins(("shout", f"{__name__}:Shout"))
    )
    (loaded,) = load_transforms(["shout"])
    assert isinstance(loaded, Shout)
    assert (
        load_transforms(["proper_case_names", "shout"])[0]
        is BUILTIN_TRANSFORMS["proper_case_names"]
    )


def test_a_plugin_cannot_take_over_a_builtin_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        transforms, "_entry_points", lambda: _plugins(("split_full_name", f"{__name__}:Shout"))
    )
    assert load_transforms(["split_full_name"]) == [BUILTIN_TRANSFORMS["split_full_name"]]


def test_a_broken_plugin_is_refused_with_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        transforms,
        "_entry_points",
        lambda: _plugins(("missing", "no_such_module_here:Thing"), ("bare", "builtins:object")),
    )
    with pytest.raises(
        UsageError,
        match=r"^The transform 'missing' \(no_such_module_here:Thing\) could not be loaded: No module named 'no_such_module_here'\.$",
    ):
        load_transforms(["missing"])
    with pytest.raises(
        UsageError,
        match=r"^The transform 'bare' \(builtins:object\) has no apply\(record\) method\.$",
    ):
        load_transforms(["bare"])


def test_the_builtins_commute() -> None:
    record = {
        "full_name": "DR. JEAN DUPONT",
        "email": "jean@dupont-sa.fr",
        "company_name": "DUPONT SA",
    }
    names = list(BUILTIN_TRANSFORMS)
    forward, backward = dict(record), dict(record)
    for t in load_transforms(names):
        forward = t.apply(forward)
    for t in load_transforms(names[::-1]):
        backward = t.apply(backward)
    assert (
        forward
        == backward
        == {
            "full_name": "Dr. Jean Dupont",
            "first_name": "Jean",
            "last_name": "Dupont",
            "email": "jean@dupont-sa.fr",
            "company_domain": "dupont-sa.fr",
            "company_name": "DUPONT",
            "custom:company_legal_suffix": "SA",
        }
    )
