"""Reading every page of a list: page 1 first, then, once its Link rel="last" is known, the rest at once.

GitHub's list answers carry `Link: <...&page=2>; rel="next", <...&page=5>; rel="last"` (recorded in
tests/simulator/data/recorded/headers.json), so after page 1 every other page's URL is known: they are sent
together instead of one round trip each. Without rel="last" the pages are followed one `next` at a time. Past the
page bound nothing is guessed: the failure says exactly which pages (and how many entries at most) were not read.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from compliance.evidence import Failure, Reply, Result, next_link

__all__ = ["MAX_PAGES", "concurrently", "last_page", "read_pages"]

MAX_PAGES = 10
T = TypeVar("T")
Get = Callable[[str], Result]


def concurrently(jobs: Sequence[Callable[[], T]], limit: int) -> list[T]:
    """Run jobs on at most `limit` daemon threads, results in job order; Ctrl-C returns at once."""
    done: list[T | BaseException | None] = [None] * len(jobs)
    gate = threading.BoundedSemaphore(max(1, limit))

    def work(i: int) -> None:
        with gate:
            try:
                done[i] = jobs[i]()
            except BaseException as exc:  # handed to the calling thread below, which re-raises it
                done[i] = exc

    threads = [threading.Thread(target=work, args=(i,), daemon=True, name=f"get-{i}") for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results: list[T] = []
    for item in done:
        if isinstance(item, BaseException):
            raise item
        if item is not None:
            results.append(item)
    return results


def _link(header: str, rel: str) -> str | None:
    for part in header.split(","):
        url, _, rest = part.partition(";")
        if f'rel="{rel}"' in rest.replace(" ", ""):
            return url.strip().strip("<>")
    return None


def last_page(header: str) -> tuple[str, int] | None:
    """The rel="last" URL of a Link header and its page number, when it names one."""
    url = _link(header, "last")
    if url is None:
        return None
    pages = [v for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True) if k == "page"]
    plain = len(pages) == 1 and pages[0].isascii() and pages[0].isdigit() and len(pages[0]) <= 5
    return (url, int(pages[0])) if plain and int(pages[0]) > 0 else None


def _but_page(query: str) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "page")


def _continues(url: str, first: Reply, api_url: str) -> str | None:
    """Why a pagination link does not continue the list asked for (another host, path or filter); None if it does.

    A page from elsewhere would be counted as this list's entries, so only this API, the same path and the same
    parameters but `page` are followed.
    """
    if not url.startswith(api_url + "/"):
        return f"a pagination link left the API ({url[:80]}); not followed"
    link, asked = urlsplit(url.removeprefix(api_url)), urlsplit(first.path)
    if link.path != asked.path or _but_page(link.query) != _but_page(asked.query) or link.fragment:
        return f"a pagination link names another list ({url[:80]}); not followed"
    return None


def _page_url(last: str, page: int) -> str:
    """The rel="last" URL with another page number; every other parameter kept as GitHub wrote it."""
    parts = urlsplit(last)
    query = [(k, str(page) if k == "page" else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="[]")))


def _items(result: Result) -> list[object] | Result:
    return result.body if isinstance(result, Reply) and result.ok and isinstance(result.body, list) else result


def read_pages(get: Get, first: Reply, api_url: str, max_pages: int = MAX_PAGES) -> Result:
    """Every page of a list whose page 1 is `first`, as one Reply; `get` sends a path on this API."""
    items: list[object] = list(first.body)
    header = first.headers.get("link", "")
    last = last_page(header)
    if last is None:
        return _follow(get, first, items, api_url, max_pages)
    url, total = last
    if (wrong := _continues(url, first, api_url)) is not None:
        return Failure(first.path, wrong)
    wanted = range(2, min(total, max_pages) + 1)
    jobs = [functools.partial(get, _page_url(url, n).removeprefix(api_url)) for n in wanted]
    answers = concurrently(jobs, len(jobs))
    for answer in answers:
        body = _items(answer)
        if not isinstance(body, list):
            return body
        items += body
    if total > max_pages:
        return _unread(first, total, len(first.body), len(items), max_pages)
    return Reply(first.path, first.status, first.headers, items)


def _unread(first: Reply, total: int, size: int, read: int, max_pages: int) -> Failure:
    """Exactly what was not read past the page bound."""
    more = (total - max_pages) * size
    return Failure(
        first.path,
        f"the list has {total} pages; pages 1-{max_pages} ({read} entries) were read and pages {max_pages + 1}-"
        f"{total} (up to {more} more entries) were not, past the bound of {max_pages} pages, so an entry there "
        "could not be seen",
    )


def _follow(get: Get, first: Reply, items: list[object], api_url: str, max_pages: int) -> Result:
    """Pages followed one rel="next" at a time (an answer without rel="last")."""
    page, pages = first, 1
    while (nxt := next_link(page.headers.get("link", ""))) is not None:
        if (wrong := _continues(nxt, first, api_url)) is not None:
            return Failure(first.path, wrong)
        if pages >= max_pages:
            return Failure(
                first.path,
                f"the list has more than {max_pages} pages and names no last page; pages 1-{max_pages} "
                f"({len(items)} entries) were read and the rest was not, past the bound of {max_pages} pages",
            )
        answer = get(nxt.removeprefix(api_url))
        body = _items(answer)
        if not isinstance(body, list) or not isinstance(answer, Reply):
            return answer
        items += body
        page, pages = answer, pages + 1
    return Reply(first.path, first.status, first.headers, items)
