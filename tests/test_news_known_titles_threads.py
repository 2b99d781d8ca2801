"""KnownTitles is read from worker threads while the event loop adds films to it."""

from __future__ import annotations

import threading

from bot.news.titles import KnownTitles


def test_finds_in_threads_while_titles_are_added() -> None:
    known = KnownTitles((f"The Silent Harbor {n}", f"The Silent Harbor {n}") for n in range(2, 500))
    errors: list[BaseException] = []
    stop = threading.Event()

    def finder() -> None:
        try:
            while not stop.is_set():
                hits = known.find("News about The Silent Harbor 7 and Quiet Valley 3 today")
                assert hits and hits[0][2] == "The Silent Harbor 7"
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=finder) for _ in range(3)]
    for thread in threads:
        thread.start()
    for n in range(2, 400):
        known.add(f"Quiet Valley {n}", f"Quiet Valley {n}")
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert known.find("Quiet Valley 3 opens")[0][2] == "Quiet Valley 3"
    assert len(known) == 498 + 398
