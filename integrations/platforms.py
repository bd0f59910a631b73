"""Where builds get their platform gateways: one object per platform, built from settings.

Switching a platform from its simulator to the real one is configuration only (URL, credentials)."""

from dataclasses import dataclass

from django.utils.module_loading import import_string

from .base import PermanentError


@dataclass
class Platforms:
    broadworks: object
    akixi: object
    callcabinet: object


def _gateway(path: str, platform: str):
    if not path:
        raise PermanentError(f"No {platform} gateway is configured (settings: {platform.upper()}_GATEWAY).")
    return import_string(path)()


def get_platforms() -> Platforms:
    from django.conf import settings

    return Platforms(
        broadworks=_gateway(settings.BROADWORKS_GATEWAY, "broadworks"),
        akixi=_gateway(settings.AKIXI_GATEWAY, "akixi"),
        callcabinet=_gateway(settings.CALLCABINET_GATEWAY, "callcabinet"),
    )
