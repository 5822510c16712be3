"""Local HTTP fakes of the GitHub issues API and the Jira REST API, for the publishing commands."""

from __future__ import annotations

import json
import re
from typing import Any

from pytest_httpserver import METHOD_ALL
from werkzeug import Request, Response

from tests.simulator import QuickHTTPServer

__all__ = ["FakeGitHubIssues", "FakeJira"]


class _Fake:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, str], bytes]] = []
        self._server = QuickHTTPServer(host="127.0.0.1", port=0)
        self._server.expect_request(re.compile(".*"), method=METHOD_ALL).respond_with_handler(self._record)

    @property
    def url(self) -> str:
        """Base URL of the fake."""
        return f"http://127.0.0.1:{self._server.port}"

    def __enter__(self) -> Any:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    def _record(self, request: Request) -> Response:
        self.calls.append((request.method, request.full_path.rstrip("?"), dict(request.headers), request.get_data()))
        return self.handle(request)

    def handle(self, request: Request) -> Response:  # pragma: no cover - overridden
        raise NotImplementedError

    @staticmethod
    def json(status: int, body: Any) -> Response:
        """A JSON answer."""
        return Response(json.dumps(body), status=status, content_type="application/json")


class FakeGitHubIssues(_Fake):
    """Issues of one repository: list (with label filter), create, comment, close; `status` forces an error."""

    def __init__(self, token: str, status: int | None = None) -> None:
        super().__init__()
        self.token, self.status = token, status
        self.issues: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, list[str]] = {}
        self.dispatches: list[tuple[str, dict[str, Any]]] = []  # (workflow file, body) of each workflow_dispatch

    def handle(self, request: Request) -> Response:
        """Serve /repos/{owner}/{repo}/issues[...] and workflow_dispatch (.../actions/workflows/{file}/dispatches)."""
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self.json(401, {"message": "Bad credentials"})
        if self.status:
            return self.json(self.status, {"message": "forced"})
        dispatch = re.fullmatch(r"/repos/[^/]+/[^/]+/actions/workflows/([^/]+)/dispatches", request.path)
        if dispatch and request.method == "POST":
            self.dispatches.append((dispatch[1], json.loads(request.get_data())))
            return Response(status=204)
        m = re.fullmatch(r"/repos/[^/]+/[^/]+/issues(?:/(\d+))?(/comments)?", request.path)
        if m is None:
            return self.json(404, {"message": "Not Found"})
        number = int(m[1]) if m[1] else None
        body = json.loads(request.get_data() or b"null")
        if request.method == "GET" and number is None:
            label = request.args.get("labels")
            state = request.args.get("state", "open")
            found = [i for i in self.issues.values() if i["state"] == state and (not label or label in i["labels"])]
            size, page = int(request.args.get("per_page", "30")), int(request.args.get("page", "1"))
            return self.json(200, found[(page - 1) * size : page * size])
        if request.method == "POST" and number is None:
            new = len(self.issues) + 1
            self.issues[new] = {
                "number": new,
                "title": body["title"],
                "body": body["body"],
                "state": "open",
                "labels": body.get("labels", []),
            }
            return self.json(201, self.issues[new])
        if number not in self.issues:
            return self.json(404, {"message": "Not Found"})
        if request.method == "POST" and m[2]:
            self.comments.setdefault(number, []).append(body["body"])
            return self.json(201, {"id": 1, "html_url": f"https://github.example/issues/{number}#c"})
        if request.method == "PATCH":
            self.issues[number]["state"] = body.get("state", "open")
            return self.json(200, self.issues[number])
        return self.json(405, {"message": "Method Not Allowed"})


class FakeJira(_Fake):
    """One ticket; attachments and comments (API v2 and v3); `status` forces an error answer."""

    def __init__(self, authorization: str, key: str = "ONB-42", status: int | None = None) -> None:
        super().__init__()
        self.authorization, self.key, self.status = authorization, key, status
        self.attachments: list[tuple[str, bytes]] = []
        self.comments: list[Any] = []

    def handle(self, request: Request) -> Response:
        """Serve /rest/api/{2,3}/issue/{key}/(attachments|comment)."""
        if request.headers.get("Authorization") != self.authorization:
            return self.json(401, {"errorMessages": ["You are not authenticated."]})
        if self.status:
            return self.json(self.status, {"errorMessages": ["forced"]})
        m = re.fullmatch(r"/rest/api/([23])/issue/([A-Z0-9_]+-\d+)/(attachments|comment)", request.path)
        if m is None or request.method != "POST":
            return self.json(404, {"errorMessages": ["Not Found"]})
        if m[2] != self.key:
            return self.json(404, {"errorMessages": ["Issue does not exist or you do not have permission to see it."]})
        if m[3] == "attachments":
            if request.headers.get("X-Atlassian-Token") != "no-check":
                return self.json(403, {"errorMessages": ["XSRF check failed"]})
            upload = request.files["file"]
            self.attachments.append((upload.filename or "", upload.read()))
            return self.json(200, [{"filename": upload.filename}])
        self.comments.append(json.loads(request.get_data())["body"])
        return self.json(201, {"id": "10001"})
