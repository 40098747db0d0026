"""The backup download is gzip-encoded only for clients whose Accept-Encoding allows it."""

from __future__ import annotations

import gzip

from leadport.api.routes.rollbacks import accepts_gzip, gunzipped


def test_accept_encoding_is_read_as_http_says() -> None:
    assert accepts_gzip("gzip, deflate, br")
    assert accepts_gzip("*")
    assert accepts_gzip("x-gzip;q=0.5")
    assert accepts_gzip("identity, GZIP ; q=0.1")
    assert not accepts_gzip(None)
    assert not accepts_gzip("")
    assert not accepts_gzip("identity")
    assert not accepts_gzip("gzip;q=0, *")
    assert not accepts_gzip("*;q=0")
    assert not accepts_gzip("gzip;q=nonsense")


def test_stored_gzip_is_decompressed_a_piece_at_a_time() -> None:
    text = "".join(f"lead{i}@example.com,Ann,Lee\r\n" for i in range(50_000)).encode()
    pieces = list(gunzipped(gzip.compress(text)))
    assert b"".join(pieces) == text
    assert len(pieces) > 1
