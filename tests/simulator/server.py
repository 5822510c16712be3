"""The simulator: a werkzeug handler served by pytest-httpserver, driven by one scenario."""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pytest_httpserver import METHOD_ALL, HTTPServer
from werkzeug import Request, Response

__all__ = ["DATA_ONLY", "GitHubSimulator", "QuickHTTPServer", "load_scenario", "raw_scenarios", "scenario_names"]

HERE = Path(__file__).parent
RECORDED = HERE / "data" / "recorded"  # answers GitHub really sent (copies of the shared recordings)
logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per request is noise in test output
DOCS = "https://docs.github.com/rest"
NOT_ACCESSIBLE = "Resource not accessible by personal access token"
# Endpoints that read the org's private data and, per GitHub's docs, only org owners can use.
OWNER_ONLY = {
    "/orgs/{org}/copilot/billing",
    "/orgs/{org}/copilot/billing/seats",
    "/orgs/{org}/copilot/metrics/reports/organization-28-day/latest",
    "/orgs/{org}/actions/permissions",
    "/orgs/{org}/actions/secrets",
    "/orgs/{org}/hooks",
}
COPILOT = {p for p in OWNER_ONLY if "/copilot/" in p}
METRICS = "/orgs/{org}/copilot/metrics/reports/organization-28-day/latest"
# Assumption: the id GitHub's roles API lists for the org-role permission "View organization Copilot metrics"; no
# recorded answer shows it, so the simulator uses one of the ids the profiles accept (compliance/profiles/linearb.toml).
METRICS_ROLE_PERMISSION = "view_org_copilot_metrics"
# What a classic token needs for each endpoint (scope alternatives).
CLASSIC_SCOPES = {
    "/user/memberships/orgs/{org}": {"read:org", "admin:org"},
    "/orgs/{org}/copilot/billing": {"read:org", "manage_billing:copilot", "admin:org"},
    "/orgs/{org}/copilot/billing/seats": {"read:org", "manage_billing:copilot", "admin:org"},
    "/orgs/{org}/copilot/metrics/reports/organization-28-day/latest": {"read:org", "admin:org"},
    "/orgs/{org}/actions/permissions": {"admin:org"},
    "/orgs/{org}/actions/secrets": {"admin:org"},
    "/orgs/{org}/hooks": {"admin:org_hook"},
}
# Keys of a scenario that are data for the tests (expected verdicts, exemptions), never read by the simulator.
DATA_ONLY = ("expect", "expect_app", "exempt")
ROUTES = (
    "/user",
    "/rate_limit",
    "/orgs/{org}",
    "/orgs/{org}/members",
    "/orgs/{org}/repos",
    "/user/memberships/orgs/{org}",
    *sorted(OWNER_ONLY),
)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@cache
def _scenarios() -> dict[str, Any]:
    return yaml.safe_load((HERE / "scenarios.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def raw_scenarios() -> dict[str, Any]:
    """scenarios.yaml as written: `base` and every scenario, expectations included, nothing merged (a copy)."""
    return copy.deepcopy(_scenarios())


def scenario_names() -> list[str]:
    """Every scenario except the base."""
    return [n for n in _scenarios() if n != "base"]


def load_scenario(name: str, **overrides: Any) -> dict[str, Any]:
    """The named scenario merged over the base, plus any overrides; the tests' data keys (DATA_ONLY) left out."""
    data = _scenarios()
    own = {k: v for k, v in data[name].items() if k not in DATA_ONLY}
    merged = _merge(data["base"], own)
    merged = _merge(merged, overrides)
    perms = merged["token"]["permissions"]
    merged["token"]["permissions"] = {k: v for k, v in perms.items() if v}
    merged["name"] = name
    return merged


@cache
def _permission_map() -> dict[str, list[dict[str, str]]]:
    """(GET path template) -> list of alternative {permission: access} sets, from GitHub's own map."""
    raw = json.loads((HERE / "data" / "fine-grained-pat-permissions.json").read_text(encoding="utf-8"))
    out: dict[str, list[dict[str, str]]] = {}
    for perm, info in raw.items():
        for row in info["permissions"]:
            if row["verb"] == "get":
                out.setdefault(row["requestPath"], []).append({perm: row["access"]})
    return out


class QuickHTTPServer(HTTPServer):
    """pytest-httpserver's server, polling for shutdown every 20 ms instead of 500 ms, so `stop()` is quick."""

    def thread_target(self) -> None:
        """Serve until stopped (the documented override point)."""
        assert self.server is not None
        self.server.serve_forever(poll_interval=0.02)


def _rank(level: str) -> int:
    return {"read": 1, "write": 2, "admin": 3}.get(level, 0)


class GitHubSimulator:
    """Serves one scenario; records every request (method, path, status)."""

    def __init__(
        self,
        scenario: dict[str, Any],
        token: str,
        *,
        app_token: str | None = None,
        latency: float = 0.0,
        base_path: str = "",
    ) -> None:
        self.scenario = scenario
        self.token = token
        self.app_token = app_token
        lifetime = scenario["token"]["lifetime_days"]
        clock = scenario.get("now")  # an ISO time the simulator takes as now (tests of a past year), else the real time
        self._now = (dt.datetime.fromisoformat(clock) if clock else dt.datetime.now(dt.UTC)).replace(microsecond=0)
        self._expires = (
            None if lifetime is None else self._now + dt.timedelta(days=lifetime - scenario["token"]["age_days"])
        )
        self.latency = latency
        self.base_path = base_path.rstrip("/")
        self.requests: list[tuple[str, str, int]] = []
        self._hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._local = threading.local()
        self._server = QuickHTTPServer(host="127.0.0.1", port=0, threaded=True)
        self._server.expect_request(re.compile(".*"), method=METHOD_ALL).respond_with_handler(self)

    @property
    def url(self) -> str:
        """The API base URL to pass as --api-url."""
        return f"http://127.0.0.1:{self._server.port}{self.base_path}"

    def start(self) -> GitHubSimulator:
        """Start serving in a background thread."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server.is_running():
            self._server.stop()

    def __enter__(self) -> GitHubSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __call__(self, request: Request) -> Response:
        """Handle one request."""
        if self.latency:
            time.sleep(self.latency)
        response = self._handle(request)
        with self._lock:
            self.requests.append((request.method, request.full_path.rstrip("?"), response.status_code))
        return response

    # -- helpers -------------------------------------------------------------------------------------------------

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        hdrs = {**self._common_headers(), **(headers or {})}
        return Response(json.dumps(body), status=status, headers=hdrs, content_type="application/json; charset=utf-8")

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        if self.scenario.get("echo_token"):  # a reflecting proxy or a wrong API URL that echoes what it was sent
            message = f"{message} (you sent: {getattr(self._local, 'auth', '')})"
        return self._json(status, {"message": message, "documentation_url": DOCS, "status": str(status)}, headers)

    def _common_headers(self) -> dict[str, str]:
        now = int(time.time())
        with self._lock:
            used = sum(self._hits.values())
        headers = {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": str(max(0, 5000 - used)),
            "X-RateLimit-Reset": str(now + 3600),
            "X-RateLimit-Used": str(used),
            "X-RateLimit-Resource": "core",
            "X-GitHub-Api-Version-Selected": "2022-11-28",
        }
        if self.base_path.endswith("/api/v3"):
            headers["X-GitHub-Enterprise-Version"] = "3.19.0"
        token = self.scenario["token"]
        if self._expires is not None and not self._as_app:
            fmt = "%Y-%m-%d %H:%M:%S UTC" if token["expiry_format"] == "utc" else "%Y-%m-%d %H:%M:%S +0000"
            headers["GitHub-Authentication-Token-Expiration"] = self._expires.strftime(fmt)
        if token["kind"] == "classic" and not self._as_app:
            headers["X-OAuth-Scopes"] = token["scopes"]
        return headers

    def _count(self, key: str) -> int:
        with self._lock:
            self._hits[key] += 1
            return self._hits[key]

    @staticmethod
    def _due(rule: dict[str, Any], hit: int) -> bool:
        return rule["times"] == "always" or hit <= int(rule["times"])

    def _route(self, path: str) -> tuple[str, str | None] | None:
        for template in ROUTES:
            pattern = "^" + re.escape(template).replace(re.escape("{org}"), "(?P<org>[^/]+)") + "$"
            m = re.match(pattern, path)
            if m:
                return template, m.groupdict().get("org")
        return None

    # -- request handling ------------------------------------------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        path = request.path
        if self.base_path:
            if not path.startswith(self.base_path + "/"):
                return self._error(404, "Not Found")
            path = path[len(self.base_path) :]
        if request.method != "GET":
            return self._error(405, "Method Not Allowed (the simulator is read-only)")
        auth = request.headers.get("Authorization", "")
        token = self.scenario["token"]
        self._local.as_app = self.app_token is not None and auth == f"Bearer {self.app_token}"
        self._local.auth = auth
        if self._as_app:
            return self._handle_app(request, path)
        if auth not in (f"Bearer {self.token}", f"token {self.token}") or token["revoked"]:
            return self._error(401, "Bad credentials")
        if re.match(r"^/orgs/[^/]+/personal-access-token", path):
            return self._error(403, NOT_ACCESSIBLE)  # "Only GitHub Apps can use this endpoint."
        routed = self._route(path)
        if routed is None:
            return self._error(404, "Not Found")
        template, org = routed
        hit = self._count(template)
        for rule in self.scenario["faults"]:
            if rule["path"] in (template, "*") and self._due(rule, hit):
                return self._fault(rule, request, template)
        for rule in self.scenario["rate_limits"]:
            if rule["path"] == template and self._due(rule, hit):
                return self._rate_limited(rule)
        if org is not None and org.lower() != self.scenario["org"]["login"]:
            return self._error(404, "Not Found")
        recorded = self._recorded(template)
        if recorded is not None:
            return recorded
        if org is not None:
            refused = self._org_wide_refusal()
            if refused is not None:
                return refused
        if self.base_path and template in COPILOT:
            return self._error(404, "Not Found")  # GHES has no Copilot REST endpoints
        return self._handler(template)(request)

    def _recorded(self, template: str) -> Response | None:
        """A recorded answer GitHub really sent (scenario key `recorded`), where the scenario serves it."""
        spec = self.scenario.get("recorded")
        if not spec:
            return None
        wanted = spec.get("probes") or []
        if not (spec.get("org_wide") and "{org}" in template) and template not in wanted:
            return None
        body = json.loads((RECORDED / spec["file"]).read_text(encoding="utf-8"))
        if spec.get("rename") and isinstance(body.get("message"), str):
            body["message"] = body["message"].replace(spec["rename"], self.scenario["org"]["login"])
        return self._json(int(spec["status"]), body)

    def _org_wide_refusal(self) -> Response | None:
        """Refusals that hit every request for the org's data, public data included (recorded: see SOURCES)."""
        org, token = self.scenario["org"], self.scenario["token"]
        login = org["login"]
        if org.get("ip_allow_list"):
            return self._recorded_message(403, "ip_allow_list_403.message.json", "aquasecurity", login)
        if org.get("saml_enforced") and not self.scenario["owner"].get("sso_session", True):
            # Assumption: the SAML text is recorded for classic tokens in public threads; the same for fine-grained.
            sso = f"required; url=https://github.com/orgs/{login}/sso?authorization_request=SIMULATED"
            return self._error(
                403,
                "Resource protected by organization SAML enforcement. You must grant your Personal Access token "
                "access to this organization.",
                {"X-GitHub-SSO": sso},
            )
        if token["kind"] == "classic":
            if org.get("classic_pats") == "blocked":
                return self._recorded_message(403, "classic_forbidden_403.message.json", "ORGANIZATION", login)
            return None
        lifetime = token["lifetime_days"]
        enterprise = org.get("enterprise") or {}
        cap = enterprise.get("max_lifetime_days")
        if cap is not None and (lifetime is None or lifetime > cap):
            return self._error(
                403,
                f"The '{enterprise['name']}' enterprise forbids access via a fine-grained personal access tokens if "
                f"the token's lifetime is greater than {cap} days. Please adjust your token's lifetime at the "
                f"following URL: https://github.com/settings/personal-access-tokens/{5000 + 1001}",
            )
        cap = org["max_lifetime_days"]
        if cap is not None and (lifetime is None or lifetime > cap):
            return self._error(
                403,
                f"The '{login}' organization forbids access via a fine-grained personal access tokens if the "
                f"token's lifetime is greater than {cap} days. Please adjust your token's lifetime at the "
                f"following URL: https://github.com/settings/personal-access-tokens/{5000 + 1001}",
            )
        if org["fine_grained_pats"] != "allowed":
            return self._recorded_message(403, "org_forbids_fine_grained_403.message.json", "AikidoSec", login)
        return None

    def _recorded_message(self, status: int, name: str, source_org: str, org: str) -> Response:
        """GitHub's recorded message (the source's org name replaced by this one) in GitHub's error shape."""
        message = json.loads((RECORDED / name).read_text(encoding="utf-8"))["message"]
        message = message.replace(source_org, org) if source_org else message
        return self._error(status, message)

    def _handler(self, template: str) -> Callable[[Request], Response]:
        """The `_get_...` method that answers a route template."""
        return getattr(self, "_get_" + re.sub(r"\W+", "_", template.replace("{org}", "org")).strip("_"))  # type: ignore[no-any-return]

    def _fault(self, rule: dict[str, Any], request: Request, template: str) -> Response:
        """A misbehaving answer: an error status, a redirect, a body that is not JSON, a huge body, a wrong type."""
        status = int(rule.get("status", 200))
        if "location" in rule:
            location = request.url if rule["location"] == "self" else rule["location"]
            return Response("", status=status, headers={**self._common_headers(), "Location": location})
        if "body" in rule or "body_bytes" in rule:
            body = rule["body"] if "body" in rule else "[" + " " * (int(rule["body_bytes"]) - 2) + "]"
            ctype = rule.get("content_type", "application/json; charset=utf-8")
            return Response(body, status=status, headers=self._common_headers(), content_type=ctype)
        if "content_type" in rule:  # the real answer, labelled with the wrong type
            response = self._handler(template)(request)
            response.headers["Content-Type"] = rule["content_type"]
            return response
        return self._error(status, "Server Error")

    # -- the GitHub App side: the org's grant record ----------------------------------------------------------------

    @property
    def _as_app(self) -> bool:
        """Whether the request being handled (in this server thread) came from the GitHub App."""
        return bool(getattr(self._local, "as_app", False))

    def _handle_app(self, request: Request, path: str) -> Response:
        org = self.scenario["org"]
        app_perms = self.scenario["app"]["permissions"]
        m = re.match(r"^/orgs/(?P<org>[^/]+)/(?P<what>personal-access-tokens|personal-access-token-requests)$", path)
        member = re.match(r"^/orgs/(?P<org>[^/]+)/memberships/(?P<user>[^/]+)$", path)
        roles = re.match(r"^/orgs/(?P<org>[^/]+)/organization-roles(?:/(?P<id>[0-9]+)/users)?$", path)
        if roles and roles["org"].lower() == org["login"]:
            return self._roles(request, roles["id"])
        if m and m["org"].lower() == org["login"]:
            need = (
                "organization_personal_access_tokens"
                if m["what"] == "personal-access-tokens"
                else ("organization_personal_access_token_requests")
            )
            if not app_perms.get(need):
                return self._error(
                    403, "Resource not accessible by integration", {"X-Accepted-GitHub-Permissions": f"{need}=read"}
                )
            entries = self._grants() if m["what"] == "personal-access-tokens" else self._requests()
            owners = request.args.getlist("owner[]")
            if owners:
                entries = [e for e in entries if e["owner"]["login"] in owners]
            return self._page(request, entries)
        if member and member["org"].lower() == org["login"]:
            if not app_perms.get("members"):
                return self._error(
                    403, "Resource not accessible by integration", {"X-Accepted-GitHub-Permissions": "members=read"}
                )
            owner = self.scenario["owner"]
            if member["user"] != owner["login"]:
                return self._error(404, "Not Found")
            return self._json(
                200,
                {"state": owner["state"], "role": owner["role"], "user": {"login": owner["login"], "id": owner["id"]}},
            )
        return self._error(403, "Resource not accessible by integration")

    def _roles(self, request: Request, role_id: str | None) -> Response:
        """The org's roles, or one role's users, as the GitHub App reads them.

        Assumption: the shapes GitHub's SDKs read (go-github's {total_count, roles} with id, name, permissions,
        source; users as simple users with `assignment`); no recorded answer of either endpoint was found.
        """
        app_perms, roles = self.scenario["app"]["permissions"], self.scenario["org"].get("roles", [])
        need = "organization_custom_org_roles" if role_id is None else "members"
        if not app_perms.get(need):
            return self._error(
                403, "Resource not accessible by integration", {"X-Accepted-GitHub-Permissions": f"{need}=read"}
            )
        if role_id is None:
            listed = [
                {"id": r["id"], "name": r["name"], "description": None, "permissions": r.get("permissions", []),
                 "source": "Organization", "base_role": None}
                for r in roles
            ]  # fmt: skip
            return self._json(200, {"total_count": len(listed), "roles": listed})
        role = next((r for r in roles if str(r["id"]) == role_id), None)
        if role is None:
            return self._error(404, "Not Found")
        users = [
            {"login": u, "id": 7000 + i, "type": "User", "assignment": "direct"} for i, u in enumerate(role["users"])
        ]
        return self._page(request, users)

    def _page(self, request: Request, entries: list[dict[str, Any]]) -> Response:
        size = min(int(request.args.get("per_page", "30")), int(self.scenario.get("page_size", 100)))
        page = int(request.args.get("page", "1"))
        chunk = entries[(page - 1) * size : page * size]
        headers = {}
        if page * size < len(entries):
            args = request.args.to_dict(flat=False)

            def link(number: int, rel: str) -> str:
                query = "&".join(f"{k}={v}" for k, values in {**args, "page": [str(number)]}.items() for v in values)
                return f'<{request.host_url.rstrip("/")}{request.path}?{query}>; rel="{rel}"'

            # as GitHub writes it (recorded: data/recorded/headers.json): next, then last
            headers["Link"] = f"{link(page + 1, 'next')}, {link(-(-len(entries) // size), 'last')}"
        return self._json(200, chunk, headers)

    def _entry(self, entry_id: int, spec: dict[str, Any]) -> dict[str, Any]:
        """A grant-shaped record of one token of the scenario's owner."""
        owner, org = self.scenario["owner"], self.scenario["org"]
        lifetime, age = spec["lifetime_days"], spec["age_days"]
        created = self._now - dt.timedelta(days=age)
        expires = None if lifetime is None else created + dt.timedelta(days=lifetime)
        selection = {"public": "none", "none": "none", "all": "all", "selected": "subset"}[spec["repository_selection"]]
        return {
            "id": entry_id,
            "owner": {
                "login": owner["login"],
                "id": owner["id"],
                "type": "User",
                "avatar_url": f"https://avatars.example/u/{owner['id']}",
            },
            "repository_selection": selection,
            "repositories_url": f"https://api.github.com/organizations/{org['id']}/personal-access-tokens/{entry_id}",
            "permissions": {
                "organization": dict(spec["permissions"]),
                "repository": dict(spec.get("repository_permissions") or {}),
                "other": {},
            },
            "access_granted_at": (created + dt.timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "token_id": 5000 + entry_id,
            "token_name": spec["name"],
            "token_expired": False,
            "token_expires_at": None if expires is None else expires.isoformat().replace("+00:00", "Z"),
            "token_last_used_at": spec.get("last_used_at", self._now.isoformat().replace("+00:00", "Z")),
            "reason": "Copilot analytics integration",
        }

    def _main_entry(self) -> dict[str, Any] | None:
        token, org = self.scenario["token"], self.scenario["org"]
        if token["kind"] != "fine-grained" or token["resource_owner"] != "org" or org["fine_grained_pats"] != "allowed":
            return None
        entry = self._entry(1001, token)
        # age counts from creation; the header's expiry is the source of truth for the main token
        entry["token_expires_at"] = None if self._expires is None else self._expires.isoformat().replace("+00:00", "Z")
        for kind, changes in (self.scenario.get("record") or {}).get("permissions", {}).items():
            table = entry["permissions"][kind]
            for key, value in changes.items():
                if value is None:
                    table.pop(key, None)
                else:
                    table[key] = value
        return entry

    def _grants(self) -> list[dict[str, Any]]:
        main = self._main_entry()
        found = [main] if main and self.scenario["token"]["status"] == "approved" else []
        for i, other in enumerate(self.scenario.get("other_grants") or []):
            spec = {**self.scenario["token"], "repository_selection": "public", **other}
            found.append(self._entry(2001 + i, spec))
        return [{k: v for k, v in e.items() if k not in ("created_at", "reason")} for e in found]

    def _requests(self) -> list[dict[str, Any]]:
        main = self._main_entry()
        found = [main] if main and self.scenario["token"]["status"] == "pending" else []
        return [{k: v for k, v in e.items() if k != "access_granted_at"} for e in found]

    def _rate_limited(self, rule: dict[str, Any]) -> Response:
        if "retry_after" in rule:
            return self._error(
                429, "You have exceeded a secondary rate limit.", {"Retry-After": str(rule["retry_after"])}
            )
        reset = int(time.time()) + int(rule["reset_in"])
        return self._error(
            403,
            "API rate limit exceeded for user ID 9001.",
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
        )

    @property
    def _not_accessible(self) -> str:
        return str(self.scenario.get("texts", {}).get("not_accessible", NOT_ACCESSIBLE))

    def _admission(self, headers: dict[str, str]) -> Response | None:
        """Refusals that hit every org-private endpoint: a token not (yet) admitted reads public data only."""
        token = self.scenario["token"]
        if token["kind"] == "classic":
            return None
        if token["resource_owner"] != "org" or token["status"] != "approved":
            # Assumption: the generic 403 (recorded for a missing permission) is also what pending and other-owner
            # tokens get on private data; no recording shows those two cases.
            return self._error(403, self._not_accessible, headers)
        return None

    def _org_gate(self, template: str) -> Response | None:
        """Refuse org-private data the way GitHub documents it; None means access is granted."""
        token, owner = self.scenario["token"], self.scenario["owner"]
        needs = _permission_map().get(template, [])
        accepted = "; ".join(",".join(f"{p}={a}" for p, a in alt.items()) for alt in needs)
        headers = {"X-Accepted-GitHub-Permissions": accepted} if accepted else {}
        refused = self._admission(headers)
        if refused:
            return refused
        if token["kind"] == "classic":
            held = {s.strip() for s in token["scopes"].split(",")}
            if not held & CLASSIC_SCOPES.get(template, set()):
                return self._error(404, "Not Found")
        else:
            perms = token["permissions"]
            if needs and not any(all(_rank(perms.get(p, "")) >= _rank(a) for p, a in alt.items()) for alt in needs):
                return self._error(403, self._not_accessible, headers)
        if owner["state"] != "active":
            return self._error(404, "Not Found")
        if template == METRICS and owner["role"] != "admin":
            if self._holds_metrics_role():  # GitHub: "Organization owners and authorized users with ... permission"
                return None
            return self._recorded_message(403, "metrics_insufficient_role_403.message.json", "", "")
        if template in OWNER_ONLY and owner["role"] != "admin":
            # Assumption: no recording shows what the other owner-only endpoints answer a non-owner; 404 as documented
            # for resources a user cannot see.
            return self._error(404, "Not Found", headers)
        return None

    def _holds_metrics_role(self) -> bool:
        """The owner is assigned an org role that grants the Copilot metrics role permission (scenario org.roles)."""
        login = self.scenario["owner"]["login"]
        return any(
            METRICS_ROLE_PERMISSION in role.get("permissions", []) and login in role.get("users", [])
            for role in self.scenario["org"].get("roles", [])
        )

    def _get_user(self, request: Request) -> Response:
        o = self.scenario["owner"]
        return self._json(
            200,
            {
                "login": o["login"],
                "id": o["id"],
                "type": o["type"],
                "name": request.headers.get("Authorization", "") if self.scenario.get("echo_token") else o["name"],
                "bio": request.headers.get("Authorization", "")[-28:] if self.scenario.get("echo_token") else None,
                "email": o["email"],
                "avatar_url": f"https://avatars.example/u/{o['id']}",
                "site_admin": False,
                "user_view_type": "public",
            },
        )

    def _get_rate_limit(self, request: Request) -> Response:
        return self._json(200, {"resources": {"core": {"limit": 5000, "remaining": 4990, "reset": 0, "used": 10}}})

    def _get_orgs_org(self, request: Request) -> Response:
        org = self.scenario["org"]
        body: dict[str, Any] = {
            "login": org["login"],
            "id": org["id"],
            "type": "Organization",
            "public_repos": len(org["public_repos"]),
            "description": "Acme analytics",
        }
        if self._admission({}) is None and self.scenario["owner"]["role"] == "admin":
            body["owned_private_repos"] = len(org["private_repos"])
            body["total_private_repos"] = len(org["private_repos"])
        return self._json(200, body)

    def _get_orgs_org_members(self, request: Request) -> Response:
        org = self.scenario["org"]
        names = org["members"] if self._org_gate("/orgs/{org}/members") is None else org["public_members"]
        return self._json(200, [{"login": n, "type": "User"} for n in names])

    def _get_orgs_org_repos(self, request: Request) -> Response:
        org, token = self.scenario["org"], self.scenario["token"]

        def repo(name: str, visibility: str) -> dict[str, Any]:
            full = f"{org['login']}/{name}"
            return {"name": name, "full_name": full, "private": visibility != "public", "visibility": visibility}

        repos = [repo(n, "public") for n in org["public_repos"]]
        admitted = self._admission({}) is None
        private_ok = token["kind"] == "classic" and "repo" in token["scopes"]
        # selecting repositories grants Metadata: Read on them implicitly
        private_ok |= token["repository_selection"] == "all" and admitted
        if private_ok:
            repos += [repo(n, "private") for n in org["private_repos"]]
            repos += [repo(n, "internal") for n in org.get("internal_repos", [])]
        elif token["repository_selection"] == "selected" and admitted:
            hidden = {n: "private" for n in org["private_repos"]} | {
                n: "internal" for n in org.get("internal_repos", [])
            }
            repos += [repo(n, hidden[n]) for n in token.get("selected_repos", []) if n in hidden]
        kind = request.args.get("type", "all")
        if kind in ("private", "public"):  # GitHub's `private` leaves internal repositories out (GHEC docs)
            repos = [r for r in repos if r["visibility"] == kind]
        per_page = min(int(request.args.get("per_page", "30")), int(self.scenario.get("page_size", 100)))
        page = int(request.args.get("page", "1"))
        chunk = repos[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(repos):
            query = f"type={kind}&per_page={per_page}&page={page + 1}"
            headers["Link"] = f'<{request.host_url.rstrip("/")}{request.path}?{query}>; rel="next"'
        return self._json(200, chunk, headers)

    def _get_user_memberships_orgs_org(self, request: Request) -> Response:
        refused = self._org_gate("/user/memberships/orgs/{org}")
        if refused:
            return refused
        org, owner = self.scenario["org"], self.scenario["owner"]
        return self._json(
            200,
            {
                "state": owner["state"],
                "role": owner["role"],
                "organization": {"login": org["login"], "id": org["id"]},
                "user": {"login": owner["login"], "id": owner["id"]},
            },
        )

    def _get_orgs_org_copilot_billing(self, request: Request) -> Response:
        refused = self._org_gate("/orgs/{org}/copilot/billing")
        if refused:
            return refused
        if not self.scenario["org"]["copilot"]:
            return self._error(404, "Not Found")
        return self._json(
            200,
            {
                "seat_breakdown": {"total": 12, "active_this_cycle": 9, "inactive_this_cycle": 3},
                "public_code_suggestions": "block",
                "seat_management_setting": "assign_selected",
                "plan_type": "business",
            },
        )

    def _get_orgs_org_copilot_billing_seats(self, request: Request) -> Response:
        refused = self._org_gate("/orgs/{org}/copilot/billing/seats")
        if refused:
            return refused
        if not self.scenario["org"]["copilot"]:
            return self._error(404, "Not Found")
        seat = {
            "created_at": "2026-01-05T10:00:00Z",
            "plan_type": "business",
            "assignee": {"login": "priya-secret-member", "id": 31337, "email": "priya@acme.example"},
        }
        return self._json(200, {"total_seats": 12, "seats": [seat]})

    def _get_orgs_org_copilot_metrics_reports_organization_28_day_latest(self, request: Request) -> Response:
        refused = self._org_gate("/orgs/{org}/copilot/metrics/reports/organization-28-day/latest")
        if refused:
            return refused
        org = self.scenario["org"]
        if not org["copilot"]:
            return self._error(404, "Not Found")
        if org["metrics_policy"] != "enabled":  # recorded: a 403 (GitHub no longer sends the 422 older notes said)
            return self._json(403, json.loads((RECORDED / "metrics_policy_disabled_403.json").read_text("utf-8")))
        end = dt.date.today() - dt.timedelta(days=1)
        return self._json(
            200,
            {
                "download_links": [f"https://copilot-reports.example/{org['login']}/28d.ndjson?sig=SIGNED-URL-SECRET"],
                "report_start_day": (end - dt.timedelta(days=27)).isoformat(),
                "report_end_day": end.isoformat(),
            },
        )

    def _admin_only(self, template: str, body: Any) -> Response:
        refused = self._org_gate(template)
        return refused or self._json(200, body)

    def _get_orgs_org_actions_permissions(self, request: Request) -> Response:
        return self._admin_only(
            "/orgs/{org}/actions/permissions", {"enabled_repositories": "all", "allowed_actions": "all"}
        )

    def _get_orgs_org_actions_secrets(self, request: Request) -> Response:
        return self._admin_only("/orgs/{org}/actions/secrets", {"total_count": 0, "secrets": []})

    def _get_orgs_org_hooks(self, request: Request) -> Response:
        return self._admin_only("/orgs/{org}/hooks", [{"id": 1, "name": "web", "active": True}])
