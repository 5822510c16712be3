"""OWNER-MEMBERSHIP: the token's owner holds the role the profile asks for: org owner, a custom role, or membership.

Token side: the owner's membership (needs Members: Read), else what an endpoint's own gate proves (Copilot billing
answers org owners only; the usage reports answer owners and members whose role grants "View organization Copilot
metrics", and refuse others with "requires admin, or relevant organization role access", recorded). App side: the
owner's membership, the org's roles and each granting role's users.
"""

from __future__ import annotations

from compliance.checks.context import Context, answer, blocked, fail, passed, unverified
from compliance.evidence import Reply
from compliance.model import Source, Verdict, Word
from compliance.probes import MEMBERSHIP, ROLES, granting_roles, role_users_name

__all__ = ["check_owner_membership", "record_owner_membership"]

# Which answer proves a custom role's permission from the token's side: the probe a holder may read, and the refusal
# cause that says the owner lacks it. Only GitHub's metrics reports name such a role in their refusal.
PROVEN_BY = {"view organization copilot metrics": ("copilot_metrics", "metrics-role")}
_ROLES_RECORD = (
    "the org's roles (GET /orgs/{org}/organization-roles and each role's users, read with a GitHub App token)"
)


def _by_role(c: Context, seen: str, login: str, role: object) -> Verdict:
    """The verdict for an active member with this org role (admin = org owner), for the profile's owner role."""
    want = c.profile.owner
    if role == "admin":
        if want.kind != "custom" or want.accept_owner:
            return passed(f"{seen}: {login} is an active owner of {c.org}.")
        return fail(f"{seen}: {login} is an org owner; the guide asks for a member with a custom role, not an owner.")
    if want.kind == "member" and role == "member":
        return passed(f"{seen}: {login} is an active member of {c.org} (role {role}).")
    if want.kind == "owner":
        return fail(
            f"{seen}: {login} is an active org {role}, but GitHub shows Copilot billing and seats to org owners only; "
            f"the guide asks for {want.phrase()}."
        )
    if role != "member":
        return fail(f"{seen}: {login} is an active org {role}; the guide asks for {want.phrase()}.")
    return _custom_from_token(c, f"{seen}: {login} is an active member, not an owner", not_owner=True)


def _custom_from_token(c: Context, prefix: str, *, not_owner: bool) -> Verdict:
    """A custom role's permission, as far as the token's own answers prove it (an owner also passes the gate)."""
    want = c.profile.owner
    probe, cause = PROVEN_BY.get(want.permission.lower(), ("", ""))
    reply = c.reply(probe) if probe else None
    if reply is not None and reply.ok:
        # GitHub's docs also name the parent enterprise's owners and billing managers as readers of org metrics, so
        # an answer proves the owner may read the reports, not which role grants it: a must held with a caveat
        return Verdict(
            Word.WARN,
            f"{prefix}; {reply.describe()}: GitHub serves that report to org owners, to members whose org role "
            f'grants "{want.permission}", and (GitHub\'s docs) to owners and billing managers of the parent '
            "enterprise, so the owner may read the reports; which of these roles it holds is shown by "
            + _ROLES_RECORD.format(org=c.org)
            + ".",
            "Run with a GitHub App token to prove the custom role, or check Organization settings > Organization "
            "roles > Role assignments for the token's owner.",
        )
    refusal = c.facts.refusals.get(probe) if probe else None
    if refusal is not None and refusal.cause == cause:
        return fail(f"{prefix}; {refusal.reply.describe()}: {refusal.text}")
    return unverified(
        f'{prefix}; whether the owner holds a role granting "{want.permission}" is not shown by the token\'s answers; '
        + _ROLES_RECORD.format(org=c.org)
        + " shows it.",
        "Check Organization settings > Organization roles > Role assignments for the token's owner.",
    )


def check_owner_membership(c: Context) -> Verdict:
    """OWNER-MEMBERSHIP from the token: the membership's role and state, else what an owner-gated answer proves."""
    r = answer(c, "membership")
    if isinstance(r, Verdict):
        return r
    want = c.profile.owner
    if r.ok and isinstance(r.body, dict):
        role, state = r.body.get("role"), r.body.get("state")
        login = str((r.body.get("user") or {}).get("login", "The token's owner"))
        if state != "active":
            return fail(f"{r.describe()}: {login}'s membership of {c.org} is {state}, not active.")
        if want.kind == "owner" and c.evidence.target.is_server:
            return passed(f"{r.describe()}: {login} is an active org member with role {role}.")
        return _by_role(c, r.describe(), login, role)
    billing = c.reply("copilot_billing")
    if billing is not None and billing.ok and (want.kind != "custom" or want.accept_owner):
        return passed(
            f"{billing.describe()} and GitHub shows Copilot billing to org owners only, so the token's owner "
            f"is an owner of {c.org}."
        )
    role_refusal = c.facts.refusals.get("copilot_metrics")
    if want.kind == "owner" and role_refusal is not None and role_refusal.cause == "metrics-role":
        return fail(
            f"{role_refusal.reply.describe()}: GitHub serves that report to every org owner, so its refusal for the "
            f"owner's role says the token's owner is not an owner of {c.org}."
        )
    if want.kind == "custom" and want.permission.lower() in PROVEN_BY:
        found = _custom_from_token(
            c, f"{r.describe()}: the owner's role needs Members: Read to be read", not_owner=False
        )
        if found.word is Word.FAIL or (found.word is Word.WARN and want.accept_owner):
            return found
    if want.kind == "member" and c.facts.org_access is not None:
        return passed(
            f"{c.facts.org_access.describe()}: only a token whose resource owner is {c.org} reads its private data, "
            "and only an org member can make such a token."
        )
    return blocked(c) or unverified(f"{r.describe()}: the owner's role needs Members: Read to be read.")


def _v(word: Word, text: str) -> Verdict:
    return Verdict(word, text, source=Source.ORG_RECORD)


def record_owner_membership(c: Context) -> Verdict | None:
    """OWNER-MEMBERSHIP from the org's records: the App reads the owner's membership, the roles and their users."""
    reply = c.evidence.get(MEMBERSHIP)
    if not isinstance(reply, Reply) or not reply.ok or not isinstance(reply.body, dict):
        return None
    role, state = reply.body.get("role"), reply.body.get("state")
    login = str((reply.body.get("user") or {}).get("login", "the token's owner"))
    seen = f"The org's record ({reply.describe()})"
    if state != "active":
        return _v(Word.FAIL, f"{seen}: {login}'s membership is {state}, not active.")
    if c.profile.owner.kind == "owner" and (role == "admin" or c.evidence.target.is_server):
        return _v(Word.PASS, f"{seen}: {login} is an active org member with role {role}.")
    if c.profile.owner.kind != "custom" or role != "member":
        verdict = _by_role(c, seen, login, role)
        return _v(verdict.word, verdict.evidence) if verdict.word in (Word.PASS, Word.FAIL) else None
    return _role_record(c, seen, login)


def _role_record(c: Context, seen: str, login: str) -> Verdict:
    """A member's custom role from the org's roles and each granting role's users."""
    want = c.profile.owner
    roles = c.evidence.get(ROLES)
    prefix = f"{seen}: {login} is an active member, not an owner"
    if not isinstance(roles, Reply) or not roles.ok:
        why = roles.describe() if roles is not None else "they were not read"
        return _v(
            Word.UNVERIFIED,
            f"{prefix}; the org's roles could not be read ({why}); the App needs Custom organization roles: Read.",
        )
    granting = granting_roles(roles.body, want.permission_ids)
    if not granting:
        return _v(Word.FAIL, f'{prefix}; {roles.describe()} lists no org role granting "{want.permission}".')
    unread = []
    for role_id, name in granting:
        users = c.evidence.get(role_users_name(role_id))
        if not isinstance(users, Reply) or not users.ok or not isinstance(users.body, list):
            unread.append(f"{name!r} ({users.describe() if users is not None else 'not read'})")
            continue
        if any(isinstance(u, dict) and u.get("login") == login for u in users.body):
            return _v(
                Word.PASS, f'{prefix}; {users.describe()}: role {name!r} grants "{want.permission}" and lists {login}.'
            )
    names = ", ".join(repr(n) for _, n in granting)
    if unread:
        return _v(Word.UNVERIFIED, f"{prefix}; the users of {', '.join(unread)} could not be read.")
    return _v(Word.FAIL, f'{prefix}; none of the roles granting "{want.permission}" ({names}) lists {login}.')
