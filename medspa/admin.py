"""Shared admin pieces."""


class ReadOnlyAdminMixin:
    """For records that change only through services (appointments) or never (the access log)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
