"""WriteBehind: one batch's writes in the background, errors surfacing in the importing thread."""

from __future__ import annotations

import threading

import pytest

from leadport.services.write_behind import WriteBehind


def test_a_write_runs_in_another_thread_and_wait_returns_once_it_is_done():
    writer, seen, release = WriteBehind(), [], threading.Event()

    def write() -> None:
        release.wait(5)
        seen.append(threading.current_thread().name)

    writer.submit(write)
    assert seen == []  # submit did not wait for it
    release.set()
    writer.wait()
    assert seen == ["leadport-import-writes"]
    writer.close()


def test_the_next_write_starts_only_after_the_one_before():
    writer, order = WriteBehind(), []
    gate = threading.Event()
    writer.submit(lambda: (gate.wait(5), order.append("first")))
    threading.Timer(0.2, gate.set).start()
    writer.submit(lambda: order.append("second"))
    writer.wait()
    assert order == ["first", "second"]
    writer.close()


def test_what_a_write_raised_is_raised_by_the_next_wait_or_submit():
    writer = WriteBehind()

    def fail() -> None:
        raise ValueError("unique constraint failed: leads.email")

    writer.submit(fail)
    with pytest.raises(ValueError, match="unique constraint"):
        writer.wait()
    writer.wait()  # raised once, then clear

    writer.submit(fail)
    with pytest.raises(ValueError, match="unique constraint"):
        writer.submit(lambda: None)
    writer.close()


def test_settle_waits_and_swallows_because_the_import_is_failing_already():
    writer = WriteBehind()
    writer.submit(lambda: 1 / 0)
    writer.settle()
    writer.wait()
    writer.close()


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "leadport-import-writes"]


def test_one_thread_serves_every_write_and_close_stops_it():
    assert _writer_threads() == []
    writer, threads = WriteBehind(), []
    for _ in range(3):
        writer.submit(lambda: threads.append(threading.get_ident()))
    writer.wait()
    assert len(threads) == 3
    assert len(set(threads)) == 1
    assert threading.get_ident() not in threads
    assert len(_writer_threads()) == 1
    writer.close()
    assert _writer_threads() == []
    writer.close()  # a second close is harmless
