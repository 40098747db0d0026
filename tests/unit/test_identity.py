"""Identity normalization, PRODUCT.md §2: emails, LinkedIn URLs, phones, domains, free mail."""

from __future__ import annotations

import email_validator
import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadport.domain import identity
from leadport.domain.identity import (
    EmailCheck,
    LinkedInCheck,
    PhoneCheck,
    email_domain,
    is_free_mail,
    normalize_domain,
    normalize_email,
    normalize_linkedin,
    normalize_phone,
)

# ------------------------------------------------------------------------------------------ email


def test_the_spec_example_addresses_are_the_same_lead() -> None:
    assert normalize_email("John.Doe@Example.COM ") == EmailCheck("john.doe@example.com", True)
    assert normalize_email("john.doe@example.com") == EmailCheck("john.doe@example.com", True)


@pytest.mark.parametrize(
    "raw",
    [
        "\u00a0john@example.com\u00a0",  # NBSP
        "\tjohn@example.com\r\n",
        "\u2003john@example.com\u3000",  # em space, ideographic space
        "\u200bjohn@example.com",  # zero-width space before
        "jo\u200chn@exa\u200dmple.com\u2060",  # zero-width (non-)joiners and word joiner inside
        "\ufeffjohn@example.com",  # byte-order mark
    ],
)
def test_white_space_and_zero_width_characters_are_removed(raw: str) -> None:
    assert normalize_email(raw) == EmailCheck("john@example.com", True)


@pytest.mark.parametrize(
    "raw",
    [
        "mailto:john@example.com",
        "MailTo:John@Example.com",
        "mailto:john@example.com?subject=Hello",
        "John Doe <john@example.com>",
        '"Doe, John" <John@Example.com>',
        "<john@example.com>",
        "John <mailto:john@example.com>",
    ],
)
def test_a_mailto_prefix_and_a_name_wrapper_are_dropped(raw: str) -> None:
    assert normalize_email(raw) == EmailCheck("john@example.com", True)


def test_an_internationalized_domain_becomes_idna_ascii() -> None:
    assert normalize_email("jürgen@münchen.de").value == "jürgen@xn--mnchen-3ya.de"
    assert normalize_email("Anna@MÜNCHEN.DE") == EmailCheck("anna@xn--mnchen-3ya.de", True)
    assert normalize_email("anna@xn--mnchen-3ya.de") == EmailCheck("anna@xn--mnchen-3ya.de", True)


def test_dots_and_plus_tags_are_kept_because_they_may_be_other_mailboxes() -> None:
    assert normalize_email("J.Doe+News@Gmail.com") == EmailCheck("j.doe+news@gmail.com", True)
    assert normalize_email("jdoe@gmail.com").value != normalize_email("j.doe@gmail.com").value


@pytest.mark.parametrize("raw", ["", "   ", "\u00a0", "\u200b", "mailto:"])
def test_a_blank_cell_has_no_email(raw: str) -> None:
    assert normalize_email(raw) == EmailCheck(None, False)


@pytest.mark.parametrize(
    "raw",
    [
        "john@",
        "@x.com",
        "john..doe@x.com",
        "john@x",
        "john doe@x.com",
        "john@-x.com",
        "john@x..com",
    ],
)
def test_typical_invalid_addresses_are_invalid_and_keep_their_text(raw: str) -> None:
    assert normalize_email(raw) == EmailCheck(raw, False)


def test_an_invalid_address_keeps_its_cleaned_lowercased_text() -> None:
    assert normalize_email(" Mailto:John Doe@X.com ") == EmailCheck("john doe@x.com", False)


def test_special_use_domains_are_invalid_as_the_validator_says() -> None:
    assert normalize_email("john@printer.local") == EmailCheck("john@printer.local", False)
    assert normalize_email("john@example.test").valid is False


def test_what_the_fast_path_cannot_decide_goes_to_the_validator() -> None:
    assert normalize_email("a@b.c") == EmailCheck("a@b.c", True)  # one-letter TLD
    assert normalize_email("o'brien@example.ie") == EmailCheck("o'brien@example.ie", True)
    assert normalize_email('"john doe"@example.com').valid is False  # quoted local part


_ATOM = st.text("abcdefghijklmnopqrstuvwxyz0123456789_+-", min_size=1, max_size=12)
_LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,14}", fullmatch=True).filter(
    lambda s: "--" not in s
)
_TLD = st.from_regex(r"[a-z]{2,8}", fullmatch=True).filter(
    lambda s: s not in email_validator.SPECIAL_USE_DOMAIN_NAMES
)
_SIMPLE = st.builds(
    lambda local, labels, tld: ".".join(local) + "@" + ".".join([*labels, tld]),
    st.lists(_ATOM, min_size=1, max_size=3),
    st.lists(_LABEL, min_size=1, max_size=3),
    _TLD,
).filter(lambda s: "--" not in s)


def _validator(text: str) -> str | None:
    try:
        found = email_validator.validate_email(text, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return None
    return f"{found.local_part}@{found.ascii_domain}"


@given(_SIMPLE)
def test_the_fast_path_takes_simple_addresses_and_the_validator_agrees(address: str) -> None:
    assert identity._fast_email(address)
    assert _validator(address) == address
    assert normalize_email(address) == EmailCheck(address, True)


@given(st.text("abcxyz019._+-@", min_size=1, max_size=30))
def test_the_fast_path_never_accepts_what_the_validator_refuses(text: str) -> None:
    if identity._fast_email(text):
        assert _validator(text) == text


@given(st.one_of(_SIMPLE, st.text(max_size=40), st.text("aAé@.<> :-m\u00a0\u200b", max_size=25)))
def test_normalizing_an_email_twice_changes_nothing(raw: str) -> None:
    once = normalize_email(raw)
    if once.value is not None:
        assert normalize_email(once.value) == once


def test_email_domain_is_the_part_after_the_last_at_sign() -> None:
    assert email_domain("john.doe@example.co.uk") == "example.co.uk"


# --------------------------------------------------------------------------------------- LinkedIn

JOHN = "https://www.linkedin.com/in/john-doe"


@pytest.mark.parametrize(
    "raw",
    [
        "https://www.linkedin.com/in/john-doe",
        "https://www.linkedin.com/in/john-doe/",
        "http://www.linkedin.com/in/john-doe",
        "https://linkedin.com/in/john-doe",
        "linkedin.com/in/john-doe",
        "www.linkedin.com/in/john-doe/",
        "https://fr.linkedin.com/in/john-doe",
        "https://uk.linkedin.com/in/john-doe/",
        "https://m.linkedin.com/in/john-doe",
        "HTTPS://WWW.LINKEDIN.COM/IN/John-Doe",
        "https://www.linkedin.com/in/john-doe?originalSubdomain=fr",
        "https://www.linkedin.com/in/john-doe/#experience",
        "https://www.linkedin.com/in/john-doe/en",
        "https://www.linkedin.com/in/john-doe/fr/",
        "https://www.linkedin.com/in/john-doe/details/experience/",
        " \u00a0https://www.linkedin.com/in/john-doe\u200b ",
        "//www.linkedin.com/in/john-doe",
    ],
)
def test_profile_url_variants_have_one_canonical_form(raw: str) -> None:
    assert normalize_linkedin(raw) == LinkedInCheck(JOHN, JOHN, True)


def test_a_slug_is_percent_decoded_and_lowercased() -> None:
    url = "https://www.linkedin.com/in/jürgen-müller"
    check = normalize_linkedin("https://de.linkedin.com/in/J%C3%BCrgen-M%C3%BCller/")
    assert check == LinkedInCheck(url, url, True)
    assert normalize_linkedin(url) == check


def test_a_member_id_slug_keeps_its_case_because_it_is_case_sensitive() -> None:
    url = "https://www.linkedin.com/in/ACoAAAvmS0gBcH_PY2Ex4Dxo1n7ne_3ltSIhQyA"
    assert normalize_linkedin(url + "/?miniProfileUrn=x") == LinkedInCheck(url, url, True)


def test_sales_navigator_urls_keep_their_own_case_preserving_canonical_form() -> None:
    url = "https://www.linkedin.com/sales/lead/ACwAAB3xYzQ"
    lead = normalize_linkedin("https://www.linkedin.com/sales/lead/ACwAAB3xYzQ,NAME_SEARCH,Ab1c")
    people = normalize_linkedin("linkedin.com/sales/people/ACwAAB3xYzQ,NAME_SEARCH,Ab1c?x=1")
    assert lead == people == LinkedInCheck(url, url, True)
    assert normalize_linkedin(url.replace("ACwAAB3xYzQ", "ACWAAB3XYZQ")).key != url


def test_an_old_public_profile_url_is_an_identifier_too() -> None:
    url = "https://www.linkedin.com/pub/john-doe/1a/2b3/4c5"
    raw = "http://fr.linkedin.com/pub/John-Doe/1A/2b3/4C5/en?trk=x"
    assert normalize_linkedin(raw) == LinkedInCheck(url, url, True)


@pytest.mark.parametrize(
    "raw",
    [
        "https://www.linkedin.com/company/acme/",
        "https://www.linkedin.com/school/hec-paris/",
        "https://www.linkedin.com/pub/dir/John/Doe",
        "https://www.linkedin.com/in/",
        "https://www.linkedin.com/feed/",
        "https://twitter.com/johndoe",
        "https://evil-linkedin.com/in/john-doe",
        "https://www.linkedin.com.evil.io/in/john-doe",
        "ftp://www.linkedin.com/in/john-doe",
        "John Doe",
        "see profile",
    ],
)
def test_anything_else_is_kept_as_given_and_is_not_an_identifier(raw: str) -> None:
    assert normalize_linkedin(f"  {raw} ") == LinkedInCheck(raw, None, False)


@pytest.mark.parametrize("raw", ["", "  ", "\u200b"])
def test_a_blank_linkedin_cell_is_nothing_and_no_warning(raw: str) -> None:
    assert normalize_linkedin(raw) == LinkedInCheck(None, None, True)


_SLUG = st.from_regex(r"[A-Za-z0-9][A-Za-zÀ-ÿ0-9_-]{0,30}", fullmatch=True)
_PREFIX = st.sampled_from(
    ["", "http://", "https://", "https://www.", "http://fr.", "https://m.", "www."]
)
_TAIL = st.sampled_from(["", "/", "/en", "/fr/", "?trk=abc", "#top", "/details/skills/"])


@given(_PREFIX, _SLUG, _TAIL)
def test_normalizing_a_profile_url_twice_changes_nothing(prefix: str, slug: str, tail: str) -> None:
    raw = f"{prefix}linkedin.com/in/{slug}{tail}"
    once = normalize_linkedin(raw)
    assert once.recognized
    assert once.key == once.value
    assert normalize_linkedin(once.value or "") == once


_URL_PIECES = ["linkedin.com", "www.", "fr.", "m.", "http", "s", "://", "/", "/in/", "pub"]
_URL_PIECES += ["sales/lead", "John-Doe", "x", "%C3%BC", "%FF", "?", "#", ":", "=", " ", "@"]
_URL_PIECES += ["\t", "\n", "\u200b"]
_ANY_URL = st.lists(st.sampled_from(_URL_PIECES), max_size=12).map("".join)


@given(_ANY_URL)
def test_the_linkedin_fast_path_never_disagrees_with_the_slow_path(raw: str) -> None:
    assert normalize_linkedin(raw) == identity._slow_linkedin.__wrapped__(raw)


@given(_PREFIX, _SLUG, _TAIL, st.sampled_from(["", "?u=http://x", "/%FF", "#a:b", "?q=1#f"]))
def test_the_linkedin_fast_path_agrees_on_export_forms(
    prefix: str, slug: str, tail: str, extra: str
) -> None:
    raw = f"{prefix}linkedin.com/in/{slug}{tail}{extra}"
    assert normalize_linkedin(raw) == identity._slow_linkedin.__wrapped__(raw)


# ------------------------------------------------------------------------------------------ phone


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+33 6 12 34 56 78", None, "+33612345678"),
        ("+33 (0)6 12 34 56 78", None, "+33612345678"),
        ("0033 6 12 34 56 78", None, "+33612345678"),
        ("0033 6 12 34 56 78", "FR", "+33612345678"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("06.12.34.56.78", "fr", "+33612345678"),
        ("0044 20 7946 0958", "US", "+442079460958"),
        ("(415) 555-0123", "US", "+14155550123"),
        ("tel:+1-415-555-0123", None, "+14155550123"),
        ("TEL:+1 415 555 0123", "FR", "+14155550123"),
        ("030 1234567", "DE", "+49301234567"),
    ],
)
def test_a_phone_becomes_e164_with_the_default_region(
    raw: str, region: str | None, expected: str
) -> None:
    assert normalize_phone(raw, region) == PhoneCheck(expected, True)


def test_an_extension_is_kept_after_the_e164_number() -> None:
    assert normalize_phone("+1 415 555 0123 ext. 45", None) == PhoneCheck(
        "+14155550123;ext=45", True
    )
    assert normalize_phone("(415) 555-0123 x45", "US") == PhoneCheck("+14155550123;ext=45", True)
    assert normalize_phone("+14155550123;ext=45", None) == PhoneCheck("+14155550123;ext=45", True)


@pytest.mark.parametrize(
    ("raw", "region"),
    [("n/a", "FR"), (" 12 ", "FR"), ("06 12 34 56 78", None), ("call me", "US"), ("+99 123", None)],
)
def test_an_unparseable_phone_keeps_its_text_and_is_flagged(raw: str, region: str | None) -> None:
    assert normalize_phone(raw, region) == PhoneCheck(raw.strip(), False)


@given(
    st.lists(
        st.sampled_from(
            [
                "0",
                "1",
                "6",
                "33",
                " ",
                "-",
                ".",
                "(",
                ")",
                "+",
                "\uff0b",
                "00",
                "tel:",
                "x",
                "ext. ",
                ";phone-context=+33",
                "\u0660",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_without_a_region_the_national_shortcut_never_disagrees_with_phonenumbers(
    raw: str,
) -> None:
    text = identity._clean_text(raw)
    text = text[4:].strip() if text[:4].lower() == "tel:" else text
    if text and identity._national_only(text):
        assert identity._parse_phone(text, None) is None


def test_a_blank_phone_is_nothing_and_no_warning() -> None:
    assert normalize_phone("  ", "FR") == PhoneCheck(None, True)


@given(
    st.from_regex(r"\+33 ?[67]( ?[0-9]{2}){4}", fullmatch=True), st.sampled_from([None, "FR", "US"])
)
def test_normalizing_a_phone_twice_changes_nothing(raw: str, region: str | None) -> None:
    once = normalize_phone(raw, region)
    assert once.parsed
    assert normalize_phone(once.value or "", region) == once


def _library_phone(text: str) -> str | None:
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@pytest.mark.parametrize(
    "raw",
    ["+33 6 12 34 56 78", "+1 415-555-0123", "+44 20 7946 0958", "+49.30.1234567", "+79123456789"],
)
def test_the_phone_fast_path_takes_international_numbers_as_crms_export_them(raw: str) -> None:
    assert identity._fast_phone(raw) == _library_phone(raw)
    assert identity._fast_phone(raw) is not None


@given(
    st.sampled_from(sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)),
    st.lists(st.text("0123456789", min_size=1, max_size=5), min_size=1, max_size=5),
    st.sampled_from(["", " ", "-", "."]),
)
def test_the_phone_fast_path_never_disagrees_with_phonenumbers(
    code: int, groups: list[str], separator: str
) -> None:
    raw = f"+{code}{separator}{separator.join(groups)}"
    fast = identity._fast_phone(raw)
    if fast is not None:
        assert fast == _library_phone(raw)


# ----------------------------------------------------------------------------------------- domain


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("acme.com", "acme.com"),
        ("https://www.acme.com/about", "acme.com"),
        ("http://Acme.COM:8080/x?y#z", "acme.com"),
        ("www.acme.co.uk/", "acme.co.uk"),
        ("eu.shop.acme.com", "acme.com"),
        ("@acme.com", "acme.com"),
        ("john@Acme.com", "acme.com"),
        ("münchen.de", "xn--mnchen-3ya.de"),
        ("acme.github.io", "acme.github.io"),
        ("acme", None),
        ("Acme Inc", None),
        ("n/a", None),
        ("192.168.1.1", None),
        ("", None),
    ],
)
def test_a_website_or_domain_is_reduced_to_its_registrable_domain(
    raw: str, expected: str | None
) -> None:
    assert normalize_domain(raw) == expected


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.com.br",
        "hotmail.be",
        "outlook.com",
        "live.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.at",
        "gmx.de",
        "web.de",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "proton.me",
        "protonmail.com",
        "yandex.ru",
        "yandex.com.tr",
        "mail.ru",
        "GMAIL.COM",
    ],
)
def test_free_mail_domains_are_recognized(domain: str) -> None:
    assert is_free_mail(domain)


@pytest.mark.parametrize(
    "domain", ["acme.com", "orange.com", "mail.yahoo.com", "yahoo-inc.com", "gmail.acme.com"]
)
def test_company_domains_are_not_free_mail(domain: str) -> None:
    assert not is_free_mail(domain)
