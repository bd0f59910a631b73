from django.db import models

from expoe_portal.choices import BadgeChoices


class Platform(models.TextChoices):
    BROADWORKS = "broadworks", "BroadWorks"
    AKIXI = "akixi", "Akixi"
    CALLCABINET = "callcabinet", "Call Cabinet"


class Aspect(models.TextChoices):
    """What of a customer is compared with a platform. One open drift row per group and aspect."""

    BW_GROUP = "bw_group", "Group and its name (G3, G4)"
    BW_DOMAIN = "bw_domain", "Default domain (G5)"
    BW_NUMBERS = "bw_numbers", "Numbers on the group (N1, N2)"
    BW_CLID = "bw_clid", "Business profile number (B1)"
    BW_VOICE_PORTAL = "bw_voice_portal", "Voice portal (V1, V2)"
    BW_ADMINS = "bw_admins", "Group administrators (A1)"
    AKIXI_PARTITION = "akixi_partition", "Akixi partition (K2)"
    AKIXI_USERS = "akixi_users", "Akixi reporting users (K4)"
    AKIXI_USER_SCOPE = "akixi_user_scope", "Akixi users' partition scope (K4)"
    CALLCABINET_CUSTOMER = "callcabinet_customer", "Call Cabinet customer (C3-C5)"
    CALLCABINET_TYPE = "callcabinet_type", "Call Cabinet customer type (C2)"


# Each aspect's platform, and the rule its drift breaks outright (those become escalations).
ASPECT_PLATFORM: dict[str, str] = {
    aspect: Platform.BROADWORKS if aspect.startswith("bw_") else aspect.split("_")[0] for aspect in Aspect.values
}
RULE_BROKEN: dict[str, str] = {Aspect.AKIXI_USER_SCOPE: "K4", Aspect.CALLCABINET_TYPE: "C2"}


class DriftState(BadgeChoices):
    OPEN = "open", "warning", "Open"
    RESOLVED = "resolved", "success", "Resolved"


class RunTrigger(models.TextChoices):
    NIGHTLY = "nightly", "Nightly (beat)"
    COMMAND = "command", "Command line"
    PERSON = "person", "Asked for on a page or the API"
