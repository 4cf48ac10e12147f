"""What a returnee, a mentor or an operator is told when a programme action cannot be done."""

from django.utils.translation import gettext_lazy as _


class ProgrammeError(Exception):
    """A request that cannot be done now; the message says why, in the reader's language."""


COHORT_CLOSED = _("Enrolment in this cohort is closed. Look at the other cohorts of the programme.")
ALREADY_ENROLLED = _("You are already enrolled in this cohort.")
ALREADY_WAITING = _("You are already on the waiting list of this cohort.")
ABROAD_IN_PERSON = _(
    "You still live abroad: from there you can enrol in virtual programmes. In-person cohorts are for when "
    "you are back in Colombia."
)
NOT_YOURS = _("This enrolment is not yours.")
NOT_OPERATOR = _("Only the staff of this programme's operator can do this.")
NOT_ENROLLED = _("Only an enrolment with a place (not on the waiting list) can do this.")
NO_CERTIFICATE = _("There is no certificate to verify.")
NOT_A_MENTOR = _("%(user)s is not a mentor.")
NO_PLAN = _("Choose first the business plan your mentor will follow.")
EMPTY_COMMENT = _("Write the comment.")
NOT_MENTOR_OF = _("Only the mentor of this enrolment and the returnee can comment on this plan.")
NOT_WITHDRAWABLE = _("This enrolment can no longer be withdrawn.")
