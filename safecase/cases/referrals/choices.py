from django.db import models


class ReferralMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    ONLINE_FORM = "online_form", "Online form"
    IN_PERSON = "in_person", "In person"
    LETTER = "letter", "Letter"


class ReferralStatus(models.TextChoices):
    AWAITING = "awaiting", "Awaiting a response"
    ESCALATED = "escalated", "Escalated: no response by the follow-up date"
    RESPONDED = "responded", "Response received"


# The agencies every organisation starts with, and their default response deadlines in working
# days (code, label, working days). The LADO's one working day follows KCSIE Part 4 (report an
# allegation that meets the harm threshold to the LADO within one working day); the others are
# common local expectations an organisation changes on its settings page.
DEFAULT_AGENCIES: tuple[tuple[str, str, int], ...] = (
    ("childrens_social_care", "Children's social care", 3),
    ("police", "Police", 1),
    ("lado", "LADO (local authority designated officer)", 1),
    ("health", "Health", 3),
    ("prevent", "Prevent / Channel", 3),
    ("adult_services", "Adult services", 3),
    ("governing_body", "Governing body", 5),
    ("other", "Other", 5),
)


def install_default_agencies(model: type) -> None:
    """The shipped agencies (organisation = NULL: every organisation's), once each."""
    for position, (code, label, days) in enumerate(DEFAULT_AGENCIES):
        model.objects.get_or_create(  # type: ignore[attr-defined]
            organisation=None,
            code=code,
            defaults={"label": label, "response_working_days": days, "position": position},
        )
