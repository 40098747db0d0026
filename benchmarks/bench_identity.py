"""Per-call cost of identity normalization: each fast path against the library it spares.

    uv run python benchmarks/bench_identity.py [--calls 20000]

Prints µs per call; no assertions. Distinct values are used where a cache would otherwise answer,
so the figures are those of a first sighting; the "cached" lines show a repeat.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import email_validator
import phonenumbers

from leadport.domain import identity, transforms


def per_call(fn: Callable[[str], object], values: list[str]) -> float:
    start = time.perf_counter()
    for value in values:
        fn(value)
    return (time.perf_counter() - start) / len(values) * 1e6


def _validate(value: str) -> object:
    return email_validator.validate_email(value, check_deliverability=False)


def _phonenumbers(value: str) -> object:
    number = phonenumbers.parse(value, "FR")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    n = parser.parse_args().calls
    emails = [f"First.Last{i}@Example{i % 500}.com " for i in range(n)]
    odd = [f"John {i} <john{i}@münchen{i % 500}.de>" for i in range(n)]
    profiles = [f"https://www.linkedin.com/in/john-doe-{i}" for i in range(n)]
    variants = [f"fr.linkedin.com/in/J%C3%BCrgen-{i}/en?trk=x" for i in range(n)]
    phones = [f"06 12 {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d}" for i in range(n)]
    names = [f"jean-PIERRE o'NEIL{i}" for i in range(n)]
    rows = [
        ("normalize_email, fast path", per_call(identity.normalize_email, emails)),
        ("email_validator.validate_email", per_call(_validate, [e.strip() for e in emails])),
        ("normalize_email, slow path (wrapper, IDNA)", per_call(identity.normalize_email, odd)),
        ("normalize_email, slow path cached", per_call(identity.normalize_email, odd)),
        ("normalize_linkedin, fast path", per_call(identity.normalize_linkedin, profiles)),
        ("normalize_linkedin, slow path", per_call(identity.normalize_linkedin, variants)),
        ("normalize_phone (FR)", per_call(lambda p: identity.normalize_phone(p, "FR"), phones)),
        (
            "normalize_phone (FR), cached",
            per_call(lambda p: identity.normalize_phone(p, "FR"), phones),
        ),
        ("phonenumbers.parse + format", per_call(_phonenumbers, phones)),
        ("proper_case", per_call(transforms.proper_case, names)),
        ("split_name (nameparser)", per_call(transforms.split_name, names)),
        ("split_name, cached", per_call(transforms.split_name, names)),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"{'':{width}}  µs/call  ({n} calls)")
    for label, micros in rows:
        print(f"{label:{width}}  {micros:7.2f}")


if __name__ == "__main__":
    main()
