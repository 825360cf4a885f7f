from tests.intake.conftest import booked, consent_text  # noqa: F401 (the intake fixtures, shared)
