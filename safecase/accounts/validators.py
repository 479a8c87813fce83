"""Password rules beyond Django's: a maximum length (so hashing cost stays bounded)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

MAX_PASSWORD_LENGTH = 128


class MaximumLengthValidator:
    """Accept passwords up to 128 characters (ASVS 6.2.9 asks for at least 64); never truncate."""

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > MAX_PASSWORD_LENGTH:
            raise ValidationError(
                f"Your password must be {MAX_PASSWORD_LENGTH} characters or fewer.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password must be {MAX_PASSWORD_LENGTH} characters or fewer."
