"""The period's facts for one org: weeks with and without a run, compliance per week, failures and recoveries, tokens.

The schedule is weekly (Mondays), so the period is counted in whole weeks, Monday 00:00 to Sunday 24:00 UTC: from
the week holding `since` to the week holding `until`. A week with no run is missed once it is over; a week not yet
over counts only when it already has a run. A week is compliant when every run in it was COMPLIANT: one failing run
makes the week not compliant even if a re-check the same day was compliant again.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from compliance import __version__
from compliance.history.record import parse_time, stamp
from compliance.history.store import Checked

__all__ = ["PERIOD_SCHEMA_VERSION", "period_facts"]

PERIOD_SCHEMA_VERSION = 1
_WEEK = dt.timedelta(days=7)
_RANK = {"COMPLIANT": 0, "INCOMPLETE": 1, "NOT COMPLIANT": 2}


def _run(r: dict[str, Any]) -> dict[str, Any]:
    failing = sorted(k for k, v in r["requirements"].items() if v["verdict"] in ("fail", "error"))
    return {
        "at": r["at"],
        "overall": r["overall"],
        "run_url": r["run_url"],
        "seq": r["seq"],
        "hash": r["hash"],
        "mode": r["mode"],
        "failing": failing,
        "cause": r["cause"],
    }


def _monday(day: dt.date) -> dt.datetime:
    start = day - dt.timedelta(days=day.weekday())
    return dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC)


def _when(r: dict[str, Any]) -> dt.datetime:
    moment = parse_time(r["at"])
    assert moment is not None  # the record schema fixes its format
    return moment


def _weeks(runs: list[dict[str, Any]], first: dt.datetime, last: dt.datetime, now: dt.datetime) -> list[dict[str, Any]]:
    weeks, monday = [], first
    while monday <= last:
        inside = [r for r in runs if monday <= _when(r) < monday + _WEEK]
        if inside:
            worst = max((r["overall"] for r in inside), key=_RANK.__getitem__)
            status = {"COMPLIANT": "compliant", "INCOMPLETE": "incomplete", "NOT COMPLIANT": "not compliant"}[worst]
        else:
            status = "missed" if monday + _WEEK <= now else "open"
        weeks.append({"week": monday.date().isoformat(), "status": status, "runs": [_run(r) for r in inside]})
        monday += _WEEK
    return weeks


def _incidents(runs: list[dict[str, Any]], before: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each stretch of runs that were not COMPLIANT: when it began (with a link), and when a run was compliant again."""
    out: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    if before is not None and before["overall"] != "COMPLIANT":
        current = {"failed": _run(before), "before_period": True, "recovered": None, "days": None}
        out.append(current)
    for r in runs:
        if r["overall"] != "COMPLIANT" and current is None:
            current = {"failed": _run(r), "before_period": False, "recovered": None, "days": None}
            out.append(current)
        elif r["overall"] == "COMPLIANT" and current is not None:
            current["recovered"] = _run(r)
            span = _when(r) - (parse_time(current["failed"]["at"]) or _when(r))
            current["days"] = round(span / dt.timedelta(days=1), 1)
            current = None
    return out


def _tokens(runs: list[dict[str, Any]], warning_days: int, now: dt.datetime) -> tuple[list[dict[str, Any]], Any]:
    """Each token seen, in order (a new fingerprint or expiry is a rotation), and when the last one is due."""
    tokens: list[dict[str, Any]] = []
    for r in runs:
        t = r["token"]
        key = (t["fingerprint"], t["expires_at"])
        if not tokens or (tokens[-1]["fingerprint"], tokens[-1]["expires_at"]) != key:
            tokens.append(
                {
                    "fingerprint": t["fingerprint"],
                    "owner": t["owner"],
                    "expires_at": t["expires_at"],
                    "created_at": None,
                    "lifetime_days": None,
                    "first_seen": r["at"],
                    "last_seen": r["at"],
                }
            )
        tokens[-1]["last_seen"] = r["at"]
        if t["created_at"] and not tokens[-1]["created_at"]:
            tokens[-1]["created_at"] = t["created_at"]
    for t in tokens:
        created, expires = parse_time(t["created_at"]), parse_time(t["expires_at"])
        if created and expires:
            t["lifetime_days"] = round((expires - created) / dt.timedelta(days=1))
    if not tokens:
        return tokens, None
    expires = parse_time(tokens[-1]["expires_at"])
    if expires is None:
        return tokens, {"expires_at": None, "rotate_by": None, "days_left": None, "warning_days": warning_days}
    rotate = expires - dt.timedelta(days=warning_days)
    left = int((expires - now).total_seconds() // 86400)
    return tokens, {
        "expires_at": stamp(expires),
        "rotate_by": stamp(rotate),
        "days_left": left,
        "warning_days": warning_days,
    }


def period_facts(
    checked: Checked, org: str, since: dt.date, until: dt.date, now: dt.datetime, warning_days: int = 30
) -> dict[str, Any]:
    """Every fact of the period report for one org, as the JSON form shows it."""
    first, last = _monday(since), _monday(until)
    end = last + _WEEK
    mine = sorted((r for r in checked.records if r["org"].lower() == org.lower()), key=lambda r: (_when(r), r["seq"]))
    runs = [r for r in mine if first <= _when(r) < end]
    before = [r for r in mine if _when(r) < first]
    weeks = _weeks(runs, first, last, now)
    counted = [w for w in weeks if w["status"] != "open"]
    incidents = _incidents(runs, before[-1] if before else None)
    tokens, rotation = _tokens(runs, warning_days, now)
    failed = Counter(k for r in runs for k, v in r["requirements"].items() if v["verdict"] in ("fail", "error"))
    broken = checked.broken
    return {
        "schema_version": PERIOD_SCHEMA_VERSION,
        "suite_version": __version__,
        "org": org,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "weeks_from": first.date().isoformat(),
        "weeks_to": (end - dt.timedelta(days=1)).date().isoformat(),
        "generated_at": stamp(now),
        "chain": {
            "verified": broken is None,
            "records": checked.head.records,
            "head": checked.head.hash,
            "break": None if broken is None else broken.sentence,
        },
        "runs_made": len(runs),
        "runs_expected": len(counted),
        "weeks_compliant": sum(w["status"] == "compliant" for w in counted),
        "weeks_not_compliant": sum(w["status"] in ("not compliant", "incomplete") for w in counted),
        "weeks_missed": sum(w["status"] == "missed" for w in counted),
        "missed_weeks": [w["week"] for w in counted if w["status"] == "missed"],
        "first_failure": incidents[0]["failed"] if incidents else None,
        "recovery": incidents[0]["recovered"] if incidents else None,
        "incidents": incidents,
        "requirements_failed": dict(sorted(failed.items())),
        "tokens": tokens,
        "rotation": rotation,
        "weeks": weeks,
    }
