"""Where builds get their platform gateways: one object per platform, built from settings.

Switching a platform from its simulator to the real one is configuration only (URL, credentials)."""

from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

from .base import PermanentError


@dataclass
class Platforms:
    broadworks: object
    akixi: object
    callcabinet: object


def _gateway(path: str, platform: str) -> Any:
    if not path:
        raise PermanentError(f"No {platform} gateway is configured (settings: {platform.upper()}_GATEWAY).")
    return import_string(path)()


def get_gateway(platform: str) -> Any:
    """One platform's gateway, for work that needs only that one (ported numbers: BroadWorks)."""
    from django.conf import settings

    return _gateway(getattr(settings, f"{platform.upper()}_GATEWAY"), platform)


def get_platforms() -> Platforms:
    return Platforms(
        broadworks=get_gateway("broadworks"), akixi=get_gateway("akixi"), callcabinet=get_gateway("callcabinet")
    )
