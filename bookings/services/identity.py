"""Who holds a booking's link: one-time codes sent to the contact details on file, and the
contact details a not-yet-proven link proposes, which front desk accepts or dismisses.

An online booking that matched an existing patient (email and date of birth are no secret)
proves nothing. Until the person enters a code sent to the email on file, its link reveals and
changes nothing of the patient's record; what they tell us is kept apart, for staff to weigh.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.crypto import constant_time_compare

from .. import signals
from ..models import Appointment, ContactProposal, EventKind, IdentityCode, Patient, ProposalStatus
from ..tokens import identity_code_hash, identity_code_value
from .booking import event_record
from .patients import patient_contact_update

CODE_LIFETIME = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_AFTER = timedelta(minutes=1)  # one email a minute at most: the code can't be used to spam
CODES_PER_DAY = 5


class CodeCheck(Enum):
    VERIFIED = "verified"
    WRONG = "wrong"
    EXPIRED = "expired"  # or never sent, or already used
    LOCKED = "locked"  # too many wrong tries: ask for a new code


@dataclass(frozen=True)
class CodeSent:
    sent: bool
    wait: timedelta = timedelta(0)  # when not sent: how long until another may be


def identity_code_send(*, appointment: Appointment, now: datetime) -> CodeSent:
    """Send a new code to the email on file, unless one went out a moment ago or too many today."""
    with transaction.atomic():
        Appointment.objects.select_for_update().get(pk=appointment.pk)  # one sender at a time
        recent = list(appointment.identity_codes.filter(created_at__gt=now - timedelta(days=1)))
        if recent and now - recent[0].created_at < CODE_RESEND_AFTER:
            return CodeSent(False, CODE_RESEND_AFTER - (now - recent[0].created_at))
        if len(recent) >= CODES_PER_DAY:
            return CodeSent(False, recent[-1].created_at + timedelta(days=1) - now)
        # Older codes stop working: only the newest one counts.
        appointment.identity_codes.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        nonce = secrets.token_hex(16)
        code = IdentityCode.objects.create(
            appointment=appointment,
            nonce=nonce,
            code_hash=identity_code_hash(nonce, identity_code_value(nonce)),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
        signals.identity_code_requested.send(sender=Appointment, appointment=appointment, identity_code=code)
    return CodeSent(True)


def identity_code_check(*, appointment: Appointment, code: str, now: datetime) -> CodeCheck:
    """Check a code against the newest one sent; the right one proves the link is the patient's."""
    entered = "".join(code.split())
    with transaction.atomic():
        latest = (
            IdentityCode.objects.select_for_update()
            .filter(appointment=appointment, used_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        if latest is None or now >= latest.expires_at:
            return CodeCheck.EXPIRED
        if latest.attempts >= CODE_MAX_ATTEMPTS:
            return CodeCheck.LOCKED
        latest.attempts += 1
        if not constant_time_compare(identity_code_hash(latest.nonce, entered), latest.code_hash):
            latest.save(update_fields=["attempts"])
            return CodeCheck.LOCKED if latest.attempts >= CODE_MAX_ATTEMPTS else CodeCheck.WRONG
        latest.used_at = now
        latest.save(update_fields=["attempts", "used_at"])
        Appointment.objects.filter(pk=appointment.pk).update(identity_verified=True, identity_verified_at=now)
        appointment.identity_verified, appointment.identity_verified_at = True, now
        event_record(appointment, EventKind.IDENTITY_VERIFIED, at=now, actor=None, note="Code from the email on file")
        signals.appointment_identity_verified.send(sender=Appointment, appointment=appointment, now=now)
    return CodeCheck.VERIFIED


def contact_proposal_record(
    *,
    appointment: Appointment,
    now: datetime,
    email: str,
    phone: str,
    first_name: str | None = None,
    last_name: str | None = None,
) -> ContactProposal:
    """Keep what an unproven link says about how to reach the patient, for front desk to decide."""
    with transaction.atomic():
        proposal = ContactProposal.objects.select_for_update().filter(appointment=appointment).first()
        if proposal is None:
            return ContactProposal.objects.create(
                patient_id=appointment.patient_id, appointment=appointment, email=email, phone=phone,
                first_name=first_name or "", last_name=last_name or "", created_at=now, updated_at=now,
            )  # fmt: skip
        proposal.email, proposal.phone, proposal.updated_at = email, phone, now
        if first_name is not None:
            proposal.first_name = first_name
        if last_name is not None:
            proposal.last_name = last_name
        proposal.status, proposal.decided_by, proposal.decided_at = ProposalStatus.PENDING, None, None
        proposal.save()
    return proposal


def contact_proposal_decide(
    *, proposal: ContactProposal, accept: bool, actor: AbstractBaseUser, now: datetime
) -> ContactProposal:
    """Front desk (who can call the patient) takes the proposed details onto the record, or not."""
    with transaction.atomic():
        proposal = ContactProposal.objects.select_for_update().select_related("patient").get(pk=proposal.pk)
        if proposal.status != ProposalStatus.PENDING:
            return proposal
        if accept:
            # Only what differs: an email typed in capitals is the same address, and stays as on file.
            patient = proposal.patient
            changed = {label for label, _old, _new in proposal.changes()}
            if "Name" in changed and proposal.first_name and proposal.last_name:
                Patient.objects.filter(pk=patient.pk).update(
                    first_name=proposal.first_name, last_name=proposal.last_name
                )
            email = proposal.email if "Email" in changed else patient.email
            phone = proposal.phone if "Phone" in changed else patient.phone
            patient_contact_update(patient=patient, email=email, phone=phone)
        proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.DISMISSED
        proposal.decided_by, proposal.decided_at = actor, now
        proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return proposal
