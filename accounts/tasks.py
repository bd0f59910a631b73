from celery import shared_task


@shared_task
def clear_expired_sessions() -> None:
    from django.core.management import call_command

    call_command("clearsessions")
