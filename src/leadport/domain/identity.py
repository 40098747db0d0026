"""Email, LinkedIn URL, phone and domain normalization (PRODUCT.md §2); pure, no DNS, no I/O.

Every function runs on every row of an import, so each has a cheap path for the common form and
keeps the expensive library (email_validator ≈ 46 µs, phonenumbers ≈ 31 µs) for what that path
cannot decide, behind a cache: domains, phone formats and odd values repeat across rows.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote, urlsplit

import email_validator
import phonenumbers

from leadport.domain import freemail

if TYPE_CHECKING:
    import tldextract

_CACHE = 1 << 15
# Zero-width characters that survive copy and paste from web pages and CRMs; str.strip() keeps them.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def _clean_text(raw: str) -> str:
    """White space trimmed (NBSP included: str.isspace knows it), zero-width characters dropped.
    ASCII text has none of them, and `isascii` is a flag read: `translate` walks every character
    (≈ 1.2 µs for a phone number, on every row)."""
    return raw.strip() if raw.isascii() else raw.translate(_ZERO_WIDTH).strip()


# ---------------------------------------------------------------------------------------- email


class EmailCheck(NamedTuple):
    """`value` is None for a blank cell; an invalid address keeps its cleaned, lowercased text."""

    value: str | None
    valid: bool


# The plain-ASCII case: dot-atom local part, hyphenated labels, alphabetic TLD of two letters or
# more. Anything else (quotes, Unicode, `xn--`, one-letter TLDs…) is left to email_validator.
_FAST_EMAIL = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63})"
)
# email_validator refuses these TLDs (RFC 6761 and friends); the fast path must agree with it.
_SPECIAL_TLDS = frozenset(email_validator.SPECIAL_USE_DOMAIN_NAMES)


def _fast_email(text: str) -> bool:
    """True when the regex alone can vouch for `text` (already stripped and lowercased)."""
    match = _FAST_EMAIL.fullmatch(text)
    if match is None or match.group(1) in _SPECIAL_TLDS or "--" in text:
        return False
    return len(text) <= 254 and text.index("@") <= 64


def normalize_email(raw: str) -> EmailCheck:
    """The identity form of an email: `John.Doe@Example.COM ` → `john.doe@example.com`."""
    text = raw.strip().lower()
    if _fast_email(text):
        return EmailCheck(text, True)
    return _slow_email(raw)


@lru_cache(maxsize=_CACHE)
def _slow_email(raw: str) -> EmailCheck:
    text = _unwrap_email(_clean_text(raw)).lower()
    if not text:
        return EmailCheck(None, False)
    if _fast_email(text):
        return EmailCheck(text, True)
    try:
        checked = email_validator.validate_email(text, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return EmailCheck(text, False)
    return EmailCheck(f"{checked.local_part.lower()}@{checked.ascii_domain}", True)


def _unwrap_email(text: str) -> str:
    """Drop `mailto:` (and its `?subject=` part) and a `Name <addr>` wrapper, until none is left."""
    while True:
        before = text
        if text[:7].lower() == "mailto:":
            text = text[7:].split("?", 1)[0].strip()
        if text.endswith(">") and "<" in text:
            text = text[text.rindex("<") + 1 : -1].strip()
        if text == before:
            return text


def email_domain(email: str) -> str:
    """The part after the last `@` of a normalized email."""
    return email.rpartition("@")[2]


# ------------------------------------------------------------------------------------- LinkedIn


class LinkedInCheck(NamedTuple):
    """`key` is the identifier (None when the value is not a profile); blank → (None, None, True)."""

    value: str | None
    key: str | None
    recognized: bool


_LINKEDIN = "https://www.linkedin.com"
# What exports write: host variants, then the slug, then what the slow path throws away (a
# locale suffix or other segments without `%`, a query, a fragment). A `:` after the host sends
# the value to the slow path, whose urlsplit reads `host/x?u=http://…` differently.
_FAST_LINKEDIN = re.compile(
    r"(?:https?://)?(?:(?:www|m|[a-z]{2})\.)?linkedin\.com/in/([a-z0-9_-]+)"
    r"(?:/[^?#%:]*)?(?:[?#][^:]*)?",
    re.IGNORECASE,
)
_LINKEDIN_HOST = re.compile(r"(?:(?:www|m|[a-z]{2})\.)?linkedin\.com")
# Member ids (`/in/ACoAAB…`, as Sales Navigator exports give) are case-sensitive, unlike vanity slugs.
_MEMBER_ID = re.compile(r"AC[ow]AA[A-Za-z0-9_-]{20,}")
_BAD_SLUG = re.compile(r"[\s/?#<>\"',;]")
_SALES_ID = re.compile(r"[A-Za-z0-9_-]+")


def normalize_linkedin(raw: str) -> LinkedInCheck:
    """Canonical profile URL; Sales Navigator and `/pub/` forms keep their own canonical form."""
    text = raw.strip()
    match = _FAST_LINKEDIN.fullmatch(text)
    if match is not None:
        url = f"{_LINKEDIN}/in/{_slug_case(match.group(1))}"
        return LinkedInCheck(url, url, True)
    return _slow_linkedin(raw)


def _slug_case(slug: str) -> str:
    return slug if _MEMBER_ID.fullmatch(slug) else slug.lower()


@lru_cache(maxsize=_CACHE)
def _slow_linkedin(raw: str) -> LinkedInCheck:
    text = _clean_text(raw)
    if not text:
        return LinkedInCheck(None, None, True)
    url = _canonical_linkedin(text)
    if url is None:
        return LinkedInCheck(raw.strip(), None, False)
    return LinkedInCheck(url, url, True)


def _canonical_linkedin(text: str) -> str | None:
    try:
        parts = urlsplit(text if "://" in text else "https://" + text.lstrip("/"))
        host = parts.hostname or ""
        segments = [unquote(s, errors="strict") for s in parts.path.split("/") if s]
    except (ValueError, UnicodeDecodeError):
        return None
    if parts.scheme.lower() not in ("http", "https") or not _LINKEDIN_HOST.fullmatch(host):
        return None
    segments = [unicodedata.normalize("NFC", s) for s in segments]
    kind = segments[0].lower() if segments else ""
    if kind == "in" and len(segments) >= 2 and not _BAD_SLUG.search(segments[1]):
        return f"{_LINKEDIN}/in/{_slug_case(segments[1])}"
    if kind == "sales" and len(segments) >= 3 and segments[1].lower() in ("lead", "people"):
        lead_id = segments[2].split(",", 1)[0]
        return f"{_LINKEDIN}/sales/lead/{lead_id}" if _SALES_ID.fullmatch(lead_id) else None
    if kind == "pub" and len(segments) >= 5 and segments[1].lower() != "dir":
        path = "/".join(segments[1:5]).lower()
        return None if _BAD_SLUG.search(path.replace("/", "")) else f"{_LINKEDIN}/pub/{path}"
    return None


# ---------------------------------------------------------------------------------------- phone


class PhoneCheck(NamedTuple):
    """`parsed` is False when the raw text is kept as given (the caller warns, never rejects)."""

    value: str | None
    parsed: bool


@lru_cache(maxsize=_CACHE)
def normalize_phone(raw: str, region: str | None) -> PhoneCheck:
    """E.164, plus `;ext=N` (RFC 3966) when the source had an extension, so no digit is lost."""
    text = _clean_text(raw)
    if not text:
        return PhoneCheck(None, True)
    if fast := _fast_phone(text):
        return PhoneCheck(fast, True)
    if text[:4].lower() == "tel:":
        text = text[4:].strip()
    if not region and _national_only(text):
        return PhoneCheck(raw.strip(), False)
    number = _parse_phone(text, region.upper() if region else None)
    if number is None:
        return PhoneCheck(raw.strip(), False)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneCheck(f"{e164};ext={number.extension}" if number.extension else e164, True)


# `+CC NSN` with spaces, dots or dashes: what CRMs export. phonenumbers.parse costs ≈ 20 µs even
# here; this answers the same in ≈ 2 µs and leaves every other shape to it.
_FAST_PHONE = re.compile(r"\+[1-9](?:[ .-]?[0-9]){6,19}")
# Country calling codes by their digits, as the start of an E.164 number spells them.
_CALLING_CODES = {str(code): code for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE}


def _fast_phone(text: str) -> str | None:
    """The E.164 form parse would give, or None when only parse can tell: a national number
    starting with 0 or with the country's national prefix (parse may strip it), or a length
    that is not possible for the country."""
    if not _FAST_PHONE.fullmatch(text):
        return None
    digits = text[1:].replace(" ", "").replace(".", "").replace("-", "")  # 3× translate's speed
    for size in (1, 2, 3):
        if (code := _CALLING_CODES.get(digits[:size])) is not None:
            national = digits[size:]
            break
    else:
        return None
    prefix = _national_prefix(code)
    if national[0] == "0" or len(national) > 17 or (prefix and prefix.match(national)):
        return None
    return "+" + digits if _possible_length(code, len(national)) else None


@cache
def _national_prefix(code: int) -> re.Pattern[str] | None:
    region = phonenumbers.region_code_for_country_code(code)
    meta = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(code, region)
    pattern = meta.national_prefix_for_parsing if meta else None
    return re.compile(pattern) if pattern else None


@cache
def _possible_length(code: int, length: int) -> bool:
    """is_possible_number looks at the country and the national number's length only."""
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int("1" * length))
    return bool(phonenumbers.is_possible_number(number))


def _national_only(text: str) -> bool:
    """Without a region, parse reads a number only from its `+` (or `00`, tried as `+`): a text
    with neither is refused before it is parsed, ≈ 0.1 µs instead of ≈ 15 µs."""
    return "+" not in text and "\uff0b" not in text and not text.startswith("00")


def _parse_phone(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """The region's reading first; `00…` is then tried as `+…`, the international prefix in most
    of Europe, so it also works without a region or from a region that dials out differently."""
    candidates = [text, "+" + text[2:]] if text.startswith("00") else [text]
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return number
    return None


# --------------------------------------------------------------------------------------- domain

# Consumer mailboxes, beyond freemail.py's: a company domain is never derived from these.
_MORE_FREE_MAIL = """
    mail.com email.com usa.com inbox.com hushmail.com mailfence.com posteo.de posteo.net
    mailbox.org duck.com tutanota.de tutamail.com keemail.me ya.ru windowslive.com passport.com
    club-internet.fr aliceadsl.fr numericable.fr cegetel.net orange.net tin.it email.it
    telefonica.net terra.es arcor.de online.de vodafone.de kabelmail.de chello.nl xs4all.nl
    quicknet.nl btopenworld.com blueyonder.co.uk virgin.net tiscali.co.uk eircom.net abv.bg
    freemail.hu citromail.hu centrum.cz atlas.cz azet.sk ukr.net gazeta.pl op.pl inbox.lv
    inbox.lt yeah.net sohu.com ig.com.br r7.com
"""
FREE_MAIL_DOMAINS: frozenset[str] = freemail.FREE_MAIL_DOMAINS | frozenset(_MORE_FREE_MAIL.split())
# Brands whose free mailboxes exist under many suffixes: yahoo.com.br, hotmail.be, gmx.at…
FREE_MAIL_BRANDS = frozenset({"yahoo", "hotmail", "outlook", "live", "gmx", "yandex", "aol"})


@cache
def _extractor() -> tldextract.TLDExtract:
    """The bundled public-suffix snapshot only: no download, no cache directory written.
    Private suffixes count, so `acme.github.io` and `other.github.io` stay two companies.
    Imported here, at the first domain: with `requests`, ≈ 0.07 s of every command's start."""
    import tldextract

    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


@lru_cache(maxsize=_CACHE)
def normalize_domain(raw: str) -> str | None:
    """The registrable domain in IDNA ASCII: `https://www.Acme.com/about` → `acme.com`.

    None when the text is not a domain (the caller then keeps it as given).
    """
    host = _host_of(_clean_text(raw).lower())
    if not host:
        return None
    try:
        checked = email_validator.validate_email("x@" + host, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return None
    parts = _extractor()(checked.ascii_domain)
    return (
        f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else checked.ascii_domain
    )


def _host_of(text: str) -> str:
    """The host of a URL, a bare `host/path`, or an email address; no port, no trailing dot."""
    text = text.rpartition("@")[2] if "://" not in text else text
    if "://" in text:
        try:
            return (urlsplit(text).hostname or "").strip(".")
        except ValueError:
            return ""
    host = re.split(r"[/?#]", text, maxsplit=1)[0]
    return host.split(":", 1)[0].strip(".")


def is_free_mail(domain: str) -> bool:
    """True for consumer mailboxes (gmail.com, yahoo.co.uk, gmx.at…), which name no company."""
    domain = domain.strip().lower().rstrip(".")
    return domain in FREE_MAIL_DOMAINS or _is_free_brand(domain)


@lru_cache(maxsize=_CACHE)
def _is_free_brand(domain: str) -> bool:
    """`yahoo.*`, `hotmail.*`, `gmx.*`…: the brand directly under any public suffix."""
    brand = domain.partition(".")[0]
    if brand not in FREE_MAIL_BRANDS:
        return False
    parts = _extractor()(domain)
    return parts.domain == brand and not parts.subdomain and bool(parts.suffix)
