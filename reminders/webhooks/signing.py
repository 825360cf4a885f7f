"""The signature header: HMAC-SHA256 of "<unix time>.<body>" with the endpoint's secret.

    X-Medspa-Signature: t=1767225600,v1=5f0c…

The timestamp is signed with the body, so a captured request cannot be replayed later than the
receiver's tolerance (the README's recipe: five minutes). Each try is signed afresh.
"""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Medspa-Signature"
EVENT_HEADER = "X-Medspa-Event"
DELIVERY_HEADER = "X-Medspa-Delivery"


def signature(secret: str, timestamp: int, body: str) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: str) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"
