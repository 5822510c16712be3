"""Identity checks: the token's kind, that it authenticates, its name, its owner and where it is stored."""

from __future__ import annotations

from compliance.checks.context import Context, answer, error, fail, not_applicable, passed, unverified, warn
from compliance.evidence import Failure, Reply
from compliance.model import TokenKind, Verdict

__all__ = ["check_active", "check_fine_grained", "check_name", "check_service_account", "check_token_storage"]


def check_fine_grained(c: Context) -> Verdict:
    """FINE-GRAINED: the prefix names the credential type; classic tokens also send X-OAuth-Scopes."""
    kind = c.evidence.token_kind
    if kind is None:
        return unverified("The token's type was not recorded in this evidence.")
    if kind is not TokenKind.FINE_GRAINED:
        return fail(f"The token is a {kind.value} token, not a fine-grained personal access token (github_pat_...).")
    user = c.reply("user")
    scopes = user.headers.get("x-oauth-scopes") if user else None
    if scopes:
        return warn(
            f"The prefix is github_pat_, yet GET /user carried X-OAuth-Scopes: {scopes}, which GitHub sends for "
            "classic tokens only."
        )
    seen = "; GET /user carried no X-OAuth-Scopes header" if user and user.ok else ""
    return passed(f"The token has the fine-grained prefix github_pat_{seen}.")


def check_active(c: Context) -> Verdict:
    """ACTIVE: GET /user answers 200 only for a token that authenticates."""
    result = c.evidence.get("user")
    if isinstance(result, Failure):
        return error(result.describe())
    if not isinstance(result, Reply):
        return unverified("GET /user was not sent.")
    if result.status == 401:
        return fail(f"{result.describe()}: the token expired, was revoked, or was copied incompletely.")
    if not result.ok or not isinstance(result.body, dict):
        return error(f"{result.describe()}: GitHub did not confirm the token's identity.")
    return passed(f"{result.describe()}: authenticated as {result.body.get('login')}.")


def check_name(c: Context) -> Verdict:
    """NAME: a token never learns its own name; only the token page and the org's grant record show it."""
    return unverified(
        "GitHub shows a token's name only on its settings page and in " + c.app_record + ".",
        f'Confirm on the token\'s settings page that it is named "{c.profile.token_name}".',
    )


def check_service_account(c: Context) -> Verdict:
    """SERVICE-ACCOUNT: the owner's login against the declared service account."""
    user = answer(c, "user")
    if isinstance(user, Verdict):
        return user
    body = user.body if isinstance(user.body, dict) else {}
    login, kind = body.get("login"), body.get("type")
    if not isinstance(login, str):
        return error(f"{user.describe()}: the answer carries no login.")
    expected = c.settings.expected_owner
    if expected is None:
        return unverified(
            f"The token belongs to {login} (account type {kind}); GitHub does not mark service accounts, so this "
            "cannot be told from the token.",
            "Name the org's bot account with --expected-owner LOGIN.",
        )
    if login.lower() == expected.lower():
        return passed(f"{user.describe()}: the token belongs to {login}, the expected service account.")
    return fail(f"The token belongs to {login}, not to the expected service account {expected}.")


def check_token_storage(c: Context) -> Verdict:
    """TOKEN-STORAGE: a token file must be private to its owner."""
    source = c.evidence.token_source
    if source is None or source.file is None:
        where = f"the environment variable {source.env_var}" if source and source.env_var else "no file"
        return not_applicable(f"The token came from {where}, not a file.")
    mode = source.file_mode or 0
    if mode & 0o077:
        return fail(
            f"{source.file} has mode {mode:04o}: group or others can read the token.", f"Run chmod 600 {source.file}."
        )
    if source.file_owned_by_user is False:
        return fail(f"{source.file} has mode {mode:04o} but belongs to another user.")
    return passed(f"{source.file} has mode {mode:04o} and belongs to the user running the suite.")
