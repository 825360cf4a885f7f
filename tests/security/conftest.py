from tests.intake.conftest import booked, consent_text  # noqa: F401 (the intake fixtures, shared)
from tests.test_access_matrix import visitors, world  # noqa: F401 (every URL and visitor, for test_csp)
