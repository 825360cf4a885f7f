from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address; behind the proxy, the first X-Forwarded-For entry."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")) or None
