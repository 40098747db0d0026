from __future__ import annotations

import pytest

from leadport.domain.names import check_name
from leadport.errors import UsageError


def test_a_name_is_stripped_and_kept_otherwise() -> None:
    assert check_name("  Q4 Outbound – Ärzte ", "A campaign name") == "Q4 Outbound – Ärzte"


@pytest.mark.parametrize(
    ("raw", "shown"), [("a\x00b", "U+0000"), ("a\tb", "U+0009"), ("a\nb", "U+000A")]
)
def test_a_name_with_a_control_character_is_refused_naming_it(raw: str, shown: str) -> None:
    with pytest.raises(UsageError) as refused:
        check_name(raw, "A campaign name")
    assert (
        refused.value.message
        == f"A campaign name may not contain control characters such as {shown}."
    )
