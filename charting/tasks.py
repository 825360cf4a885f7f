from celery import shared_task

from .services.photos import photo_renditions_make


@shared_task
def photo_renditions(photo_id: int) -> bool:
    """The screen-size copy and thumbnail of a photo, by id (enqueued after the upload commits)."""
    return photo_renditions_make(photo_id)
