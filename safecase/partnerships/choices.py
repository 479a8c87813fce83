"""The hub's vocabularies: agency kinds, RAG ratings, referral sources, decisions."""

from __future__ import annotations

from django.db import models


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"
    OTHER = "other", "Other"


class Rating(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    BLUE = "blue", "Blue"


# Queue order: red first, then referrals not yet rated (they need a rating to get a clock),
# then amber, green and blue; the oldest first within each.
PRIORITY: dict[str, int] = {Rating.RED: 1, "": 2, Rating.AMBER: 3, Rating.GREEN: 4, Rating.BLUE: 5}

RATING_MEANING: dict[str, str] = {
    Rating.RED: "Red: immediate risk, agencies answer within the red timescale",
    Rating.AMBER: "Amber: risk of harm, answer within the amber timescale",
    Rating.GREEN: "Green: no immediate risk, answer within the green timescale",
    Rating.BLUE: "Blue: no additional need, no target",
}


class Source(models.TextChoices):
    MEMBER = "member", "Referral from a member organisation"
    PHONE = "phone", "Phone call"
    EMAIL = "email", "E-mail"


class ReferralStatus(models.TextChoices):
    OPEN = "open", "Open"
    DECIDED = "decided", "Decided"


class Decision(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "child_in_need", "Child in need assessment (s17)"
    STRATEGY_DISCUSSION = "strategy", "Strategy discussion / child protection enquiry (s47)"
    OTHER_SERVICE = "other_service", "Refer to another service"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for the agency"
    HELD = "held", "Answered, held for the agency's approver"
    RELEASED = "released", "Answered and released to the hub"
    WITHDRAWN = "withdrawn", "Withdrawn by the hub"
