"""Email, LinkedIn URL, phone and domain normalization (PRODUCT.md §2).

Each has a fast path (a compiled regex for the common case) and falls back to the library only
for what the fast path cannot decide; results are cached by value, since values repeat.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from leadport.domain.freemail import FREE_MAIL_DOMAINS


class EmailCheck(NamedTuple):
    value: str | None
    valid: bool


class LinkedInCheck(NamedTuple):
    value: str | None
    key: str | None
    recognized: bool


class PhoneCheck(NamedTuple):
    value: str | None
    parsed: bool


# All Unicode white space plus the invisible characters that spreadsheets and web pages leave.
_INVISIBLE = re.compile(r"[\s\u00a0\u200b\u200c\u200d\u2060\ufeff]+")
_ANGLE = re.compile(r"<([^<>]*)>\s*$")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_FAST_EMAIL = re.compile(
    rf"[a-z0-9!#$%&'*+/=?^_`{{|}}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{{|}}~-]+)*@(?:{_LABEL}\.)+[a-z]{{2,63}}"
)


def normalize_email(raw: str) -> EmailCheck:
    text = _clean_email_text(raw)
    if not text:
        return EmailCheck(None, False)
    if text.isascii() and _FAST_EMAIL.fullmatch(text):
        return EmailCheck(text, True)
    return _slow_email(text)


def _clean_email_text(raw: str) -> str:
    text = raw.strip()
    match = _ANGLE.search(text)
    if match:
        text = match.group(1)
    text = _INVISIBLE.sub("", text)
    if text[:7].lower() == "mailto:":
        text = text[7:].split("?", 1)[0]
    return text.lower()


@lru_cache(maxsize=65536)
def _slow_email(text: str) -> EmailCheck:
    local, sep, domain = text.rpartition("@")
    if not sep or not local or not domain:
        return EmailCheck(text, False)
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return EmailCheck(text, False)
    candidate = f"{local}@{ascii_domain}"
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return EmailCheck(candidate, False)
    return EmailCheck(f"{result.local_part}@{result.ascii_domain}".lower(), True)


def email_domain(email: str) -> str:
    return email.rpartition("@")[2]


def is_free_mail(domain: str) -> bool:
    domain = domain.lower()
    if domain in FREE_MAIL_DOMAINS:
        return True
    base = domain.split(".", 1)[0]
    return base in {"yahoo", "hotmail", "gmx", "yandex", "outlook", "live"}


_FAST_PROFILE = re.compile(r"https://www\.linkedin\.com/in/([a-z0-9-]{3,100})/?")
_LINKEDIN_HOST = re.compile(r"(?:[a-z]{2}\.|www\.|m\.|[a-z]{2}-[a-z]{2}\.)?linkedin\.com")


@lru_cache(maxsize=65536)
def normalize_linkedin(raw: str) -> LinkedInCheck:
    text = raw.strip()
    if not text:
        return LinkedInCheck(None, None, True)
    fast = _FAST_PROFILE.fullmatch(text)
    if fast:
        url = "https://www.linkedin.com/in/" + fast.group(1)
        return LinkedInCheck(url, url, True)
    canonical = _canonical_linkedin(text)
    if canonical is None:
        return LinkedInCheck(text, None, False)
    return LinkedInCheck(canonical, canonical, True)


def _canonical_linkedin(text: str) -> str | None:
    candidate = text if "://" in text else "https://" + text.lstrip("/")
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not _LINKEDIN_HOST.fullmatch(host):
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) >= 2 and segments[0].lower() == "in":
        slug = unquote(segments[1]).strip().lower()
        return f"https://www.linkedin.com/in/{slug}" if slug else None
    if (
        len(segments) >= 3
        and segments[0].lower() == "sales"
        and segments[1].lower() in ("lead", "people")
    ):
        lead_id = unquote(segments[2]).split(",", 1)[0]
        return f"https://www.linkedin.com/sales/lead/{lead_id}" if lead_id else None
    if len(segments) >= 2 and segments[0].lower() == "pub":
        return "https://www.linkedin.com/pub/" + "/".join(unquote(s).lower() for s in segments[1:5])
    return None


@lru_cache(maxsize=65536)
def normalize_phone(raw: str, region: str | None) -> PhoneCheck:
    """E.164 with the workspace's region; an extension is dropped. Unparseable keeps its text."""
    text = raw.strip()
    if not text:
        return PhoneCheck(None, True)
    cleaned = text[4:] if text[:4].lower() == "tel:" else text
    cleaned = cleaned.replace("(0)", "")
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    try:
        number = phonenumbers.parse(cleaned, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return PhoneCheck(text, False)
    if not phonenumbers.is_possible_number(number):
        return PhoneCheck(text, False)
    return PhoneCheck(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), True)


_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+[a-z]{{2,63}}")


@lru_cache(maxsize=65536)
def normalize_domain(raw: str) -> str | None:
    """A company website or domain reduced to its host: `https://www.Acme.com/about` → `acme.com`."""
    text = _INVISIBLE.sub("", raw).lower().strip("/")
    if not text:
        return None
    if "@" in text:
        text = text.rpartition("@")[2]
    host = urlsplit(text if "://" in text else "//" + text).hostname or ""
    if host.startswith("www."):
        host = host[4:]
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return text
    return host if _DOMAIN.fullmatch(host) else text
