import pytest

from tests.reminders.webhook_receiver import Receiver


@pytest.fixture
def receiver():
    """Start a webhook receiver: receiver() answers 200; receiver([500, 500]) answers 500 twice first."""
    started = []

    def start(statuses=(), **kwargs) -> Receiver:
        started.append(Receiver(statuses, **kwargs))
        return started[-1]

    yield start
    for one in started:
        one.stop()
