"""Grant pages: once page 1 names its last page, the rest are asked together; past the bound, what was not read."""

from __future__ import annotations

import threading

import pytest

from compliance.evidence import Failure, Reply, Result
from compliance.gather.pages import last_page, read_pages

API = "https://api.github.com"
PATH = "/orgs/acme/personal-access-tokens"


def _link(page: int, last: int) -> str:
    url = f"{API}{PATH}?owner[]=bot&per_page=100&page="
    return f'<{url}{page}>; rel="next", <{url}{last}>; rel="last"'


class _Pages:
    """Serves `total` pages of 100 entries; records the page numbers asked and how many were asked at once."""

    def __init__(self, total: int, last: bool = True, together: int = 0) -> None:
        self.total, self.last, self.asked, self.peak, self._now = total, last, [], 0, 0
        self._lock = threading.Lock()
        # with `together`, each answer waits until that many requests are in flight (fails if they never are)
        self._barrier = threading.Barrier(together, timeout=30) if together else None

    def page(self, n: int) -> Reply:
        body = [{"id": n * 1000 + i} for i in range(100)]
        headers = {}
        if n < self.total:
            headers["link"] = _link(n + 1, self.total) if self.last else _link(n + 1, self.total).split(",")[0]
        return Reply(f"{PATH}?owner%5B%5D=bot&per_page=100&page={n}", 200, headers, body)

    def get(self, path: str) -> Result:
        with self._lock:
            self._now += 1
            self.peak = max(self.peak, self._now)
        if self._barrier is not None:
            self._barrier.wait()
        with self._lock:
            self._now -= 1
            self.asked.append(int(path.rsplit("page=", 1)[1]))
        return self.page(int(path.rsplit("page=", 1)[1]))


def test_pages_after_the_first_are_asked_together() -> None:
    pages = _Pages(10, together=9)
    result = read_pages(pages.get, pages.page(1), API)
    assert isinstance(result, Reply) and len(result.body) == 1000
    assert sorted(pages.asked) == list(range(2, 11))
    assert pages.peak == 9  # one round trip for pages 2-10


def test_past_the_bound_the_failure_says_what_was_not_read() -> None:
    pages = _Pages(15)
    result = read_pages(pages.get, pages.page(1), API, max_pages=10)
    assert isinstance(result, Failure)
    assert "pages 1-10 (1000 entries) were read and pages 11-15 (up to 500 more entries) were not" in result.reason
    assert max(pages.asked) == 10


def test_without_a_last_page_next_is_followed_and_bounded() -> None:
    pages = _Pages(12, last=False)
    result = read_pages(pages.get, pages.page(1), API, max_pages=10)
    assert isinstance(result, Failure) and "names no last page" in result.reason
    assert pages.asked == list(range(2, 11))
    assert isinstance(read_pages(_Pages(3, last=False).get, _Pages(3, last=False).page(1), API), Reply)


def test_a_last_page_off_the_api_is_not_followed() -> None:
    first = Reply(PATH, 200, {"link": '<https://evil.example/x?page=2>; rel="last"'}, [{}])
    result = read_pages(lambda path: first, first, API)
    assert isinstance(result, Failure) and "left the API" in result.reason


@pytest.mark.parametrize("rel", ["last", "next"])
@pytest.mark.parametrize("url", [f"{API}/user?per_page=100&page=3", f"{API}{PATH}?owner[]=someone&per_page=100&page=3"])
def test_a_link_to_another_list_is_not_followed(url: str, rel: str) -> None:
    """A link on this API to another path or with another filter would count other entries as this list's."""
    first = Reply(f"{PATH}?owner%5B%5D=bot&per_page=100", 200, {"link": f'<{url}>; rel="{rel}"'}, [{}])
    asked: list[str] = []

    def get(path: str) -> Result:
        asked.append(path)
        return first

    result = read_pages(get, first, API)
    assert isinstance(result, Failure) and "names another list" in result.reason
    assert asked == []


def test_last_page_reads_only_a_plain_page_number() -> None:
    assert last_page(_link(2, 7)) == (f"{API}{PATH}?owner[]=bot&per_page=100&page=7", 7)
    assert last_page('<https://x/y?page=abc>; rel="last"') is None
    assert last_page('<https://x/y?page=1&page=2>; rel="last"') is None
    assert last_page('<https://x/y?page=%C2%B2>; rel="last"') is None  # a superscript two is a digit, not a number
    assert last_page('<https://x/y?page=0>; rel="last"') is None
    assert last_page('<https://x/y?page=999999999999>; rel="last"') is None
    assert last_page("") is None
