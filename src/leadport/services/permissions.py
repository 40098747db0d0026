"""Who may do what (PRODUCT.md §1), decided here so that the CLI, the API and the pages agree.

Admins may do everything. Members import, browse and export; rollback, restore, cleaning the
permanently-deleted list, managing members and changing the plan are an admin's, except that the
workspace setting `members_can_rollback` lets a member roll back imports they made themselves.
"""

from __future__ import annotations

from leadport.errors import PermissionDeniedError
from leadport.services.directory import Member, Workspace


def require_admin(member: Member, action: str) -> None:
    """Refuse `action` (a verb phrase: "clean the permanently-deleted list") to a non-admin."""
    if not member.is_admin:
        raise PermissionDeniedError(f"Only an admin may {action}; {member.email} is a member.")


def may_roll_back(member: Member, workspace: Workspace, importer_member_id: int | None) -> bool:
    if member.is_admin:
        return True
    return workspace.members_can_rollback and importer_member_id == member.id


def require_rollback(
    member: Member, workspace: Workspace, importer_member_id: int | None, import_id: int
) -> None:
    if may_roll_back(member, workspace, importer_member_id):
        return
    if workspace.members_can_rollback:
        raise PermissionDeniedError(
            f"{member.email} may roll back only their own imports; import {import_id} is another member's."
        )
    raise PermissionDeniedError(
        f"Only an admin may roll back import {import_id}; {member.email} is a member "
        "(an admin can allow members to roll back their own imports with members_can_rollback)."
    )


def require_lead_work(member: Member, workspace: Workspace, action: str) -> None:
    """Leads are every member's work: showing a lead, changing its status, recording activity and
    deleting it (also permanently) are not an admin's alone, since PRODUCT.md §1 reserves only
    rollback, restore, cleaning the permanently-deleted list, members and the plan. The member
    must belong to the workspace acted on."""
    if member.workspace_id != workspace.id:
        raise PermissionDeniedError(
            f"{member.email} may not {action}: they are not a member of workspace {workspace.name}."
        )
