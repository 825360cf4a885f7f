from celery import shared_task

from . import emails


@shared_task
def urgent_follow_up_alert(follow_up_id: int) -> None:
    emails.urgent_alert_send(follow_up_id=follow_up_id)
