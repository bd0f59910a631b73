from django.db import models


class Platform(models.TextChoices):
    BROADWORKS = "broadworks", "BroadWorks"
    AKIXI = "akixi", "Akixi"
    CALLCABINET = "callcabinet", "Call Cabinet"


class CallOutcome(models.TextChoices):
    STARTED = "started", "Started"  # written before the call; stays so if the process died mid-call
    OK = "ok", "OK"
    TRANSIENT_ERROR = "transient_error", "Transient error (retried)"
    PERMANENT_ERROR = "permanent_error", "Permanent error"
