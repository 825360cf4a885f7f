import pytest
from django.contrib.auth.models import Group

from medspa.roles import FRONT_DESK, INJECTOR, MANAGER
from tests.factories import UserFactory


def _staff(role: str):
    user = UserFactory(is_staff=True, username=role.lower().replace(" ", ""))
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def front_desk_user(db):
    return _staff(FRONT_DESK)


@pytest.fixture
def injector_user(db):
    return _staff(INJECTOR)


@pytest.fixture
def manager_user(db):
    return _staff(MANAGER)
