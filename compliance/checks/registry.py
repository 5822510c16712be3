"""The registry: one row per requirement ID, naming its token check, its org-record check and its fix link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from compliance.checks import access, expiry, identity, org_record, owner, permissions
from compliance.checks.context import Context
from compliance.model import Verdict

__all__ = ["REGISTRY", "Row", "TokenLink"]


class TokenLink(Enum):
    """Which pre-filled 'new token' link the fix carries: none, the guide's token, or it plus optional permissions."""

    NONE = "none"
    NEW_TOKEN = "new-token"
    NEW_TOKEN_WITH_OPTIONAL = "new-token-with-optional"


@dataclass(frozen=True)
class Row:
    """How one requirement is decided: from the token's answers, then from the org's record where it has one."""

    id: str
    check: Callable[[Context], Verdict]
    record: Callable[[Context], Verdict | None] | None = None  # decisive where it gives pass, fail or N/A
    granted: str | None = None  # the org permission the record should grant; a refused request then disagrees
    link: TokenLink = TokenLink.NONE
    token_proves: bool = True  # False: no answer to the token itself can prove it (only the record or a person)


_ROWS = (
    Row("FINE-GRAINED", identity.check_fine_grained, link=TokenLink.NEW_TOKEN),
    Row("ACTIVE", identity.check_active, link=TokenLink.NEW_TOKEN),
    Row("NAME", identity.check_name, org_record.name),
    Row("EXPIRATION-SET", expiry.check_expiration_set, link=TokenLink.NEW_TOKEN),
    Row(
        "LIFETIME-MAX",
        expiry.check_lifetime_max,
        org_record.lifetime_max,
        link=TokenLink.NEW_TOKEN,
        token_proves=False,
    ),
    Row("EXPIRY-HEADROOM", expiry.check_expiry_headroom, link=TokenLink.NEW_TOKEN),
    Row("RESOURCE-OWNER", access.check_resource_owner, org_record.resource_owner, link=TokenLink.NEW_TOKEN),
    Row("REPO-ACCESS", access.check_repo_access, org_record.repo_access, link=TokenLink.NEW_TOKEN),
    Row("READ-ONLY", permissions.check_read_only, org_record.read_only, link=TokenLink.NEW_TOKEN, token_proves=False),
    Row("MEMBERS-READ", permissions.check_members_read, granted="members", link=TokenLink.NEW_TOKEN),
    Row(
        "COPILOT-BUSINESS-READ",
        permissions.check_copilot_business_read,
        granted="organization_copilot_seat_management",
        link=TokenLink.NEW_TOKEN,
    ),
    Row(
        "LEAST-PRIVILEGE",
        permissions.check_least_privilege,
        org_record.least_privilege,
        link=TokenLink.NEW_TOKEN,
        token_proves=False,
    ),
    Row("APPROVED", access.check_approved, org_record.approved),
    Row("SERVICE-ACCOUNT", identity.check_service_account, org_record.service_account),
    Row("OWNER-MEMBERSHIP", owner.check_owner_membership, owner.record_owner_membership),
    Row(
        "COPILOT-METRICS",
        permissions.check_copilot_metrics,
        granted="organization_copilot_metrics",
        link=TokenLink.NEW_TOKEN_WITH_OPTIONAL,
    ),
    Row("TOKEN-STORAGE", identity.check_token_storage),
)
REGISTRY: dict[str, Row] = {row.id: row for row in _ROWS}
