"""The account and tax mapping between the practice's books and one Xero organisation.

Placeholder on the xero-connect branch: the mapping itself (its tables, keyed by tenant id) is
built on the xero-mapping branch, which replaces this file when the two are merged. Only the one
function the connection needs is here, with the signature that branch implements.
"""

from sqlalchemy.orm import Session


def forget_mappings(session: Session, keep_tenant_id: str) -> int:
    """Delete every mapping made for an organisation other than `keep_tenant_id` (the practice
    switched organisation); returns how many were deleted. No mappings exist on this branch."""
    del session, keep_tenant_id
    return 0
