"""Service layer for coordinators, HR staff and admins: roles, invites, audit, applicants, ledger.

Independent of Telegram: every function takes a :class:`StaffContext` (engine, admin ids,
clock, evaluator, gazetteer) and the acting user's id, checks the role on every call
(:func:`require`; a refusal is :class:`PermissionDenied`, an ``InputError`` whose ``zh`` says
"没有权限", and changes nothing), and writes privileged actions to the audit log.
Tables are ``staff_*`` (``models.py``), created by the migrations (``bot.storage.migrate``).

Wiring (composition root)::

    ctx = StaffContext(engine=storage.engine, admin_ids=settings.admin_ids)  # open_storage migrated it
    # /start <payload> with is_invite_token(payload): welcome_text(redeem_invite(ctx, uid, payload))
    # admin: invite_link(bot_username, create_invite(ctx, uid, "coordinator", county=..., village=...).token)
    # coordinator: register_applicant, interview_step, record_service, list_applicants + summaries_text
    # coordinator/staff/admin: export_ledger(ctx, uid, today) -> LedgerFile(filename, content)
    # coordinator: invite_link(bot_username, create_link(ctx, uid, applicant_id).token) for the worker;
    # /start <link token> (is_invite_token is true for it too): redeem_link(ctx, worker_uid, token)
    # worker or his coordinator: mark_claim(ctx, uid, Subject.worker(uid) | Subject.applicant(id),
    #   rule_id, "applied"|"received"|"rejected"|"declined", ...), undo_claim, clear_claim, claims_of
    # /delete: forget_user(ctx, uid)
"""
from bot.staff.applicants import (
    Applicant,
    assign_applicant,
    delete_applicant,
    get_applicant,
    register_applicant,
    save_interview,
    update_contact,
)
from bot.staff.assessment import Assessment, Claim
from bot.staff.audit import AuditEntry, audit_log
from bot.staff.claims import (
    ClaimEvent,
    ClaimMark,
    Subject,
    claim_history,
    claims_of,
    clear_claim,
    mark_claim,
    undo_claim,
)
from bot.staff.context import StaffContext
from bot.staff.invite_admin import PendingInvite, cancel_invite, invite_ref, pending_invites
from bot.staff.invites import (
    Invite,
    create_invite,
    invite_link,
    is_invite_token,
    redeem_invite,
    welcome_text,
)
from bot.staff.ledger import LedgerFile, export_ledger
from bot.staff.links import ApplicantLink, create_link, is_link_token, redeem_link
from bot.staff.overview import ApplicantSummary, applicant_summary, list_applicants, summaries_text
from bot.staff.privacy import forget_user
from bot.staff.proxy import interview_step
from bot.staff.roles import (
    ADMIN,
    COORDINATOR,
    STAFF,
    WORKER,
    Grant,
    PermissionDenied,
    Scope,
    list_roles,
    require,
    revoke_role,
    role_label,
    role_of,
)
from bot.staff.services131 import Progress, Service, delete_service, list_services, record_service

__all__ = [
    "ADMIN", "COORDINATOR", "STAFF", "WORKER", "Applicant", "ApplicantLink", "ApplicantSummary",
    "Assessment", "AuditEntry", "Claim", "ClaimEvent", "ClaimMark", "Grant", "Invite", "LedgerFile", "PendingInvite",
    "PermissionDenied", "Progress", "Scope", "Service", "StaffContext", "Subject",
    "applicant_summary", "assign_applicant", "audit_log", "cancel_invite", "claim_history",
    "claims_of", "clear_claim", "create_invite", "create_link",
    "delete_applicant", "delete_service", "export_ledger", "forget_user",
    "get_applicant", "interview_step", "invite_link", "invite_ref", "is_invite_token",
    "is_link_token", "list_applicants", "list_roles", "list_services", "mark_claim", "pending_invites",
    "record_service", "redeem_invite", "redeem_link", "register_applicant", "require",
    "revoke_role", "role_label", "role_of", "save_interview", "summaries_text",
    "undo_claim", "update_contact", "welcome_text",
]
