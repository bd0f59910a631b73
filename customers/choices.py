from django.db import models

from expoe_portal.choices import BadgeChoices


class GroupDomain(models.TextChoices):
    """G5: the two default domains; every user ID of the company uses the group's one."""

    EXPONENTIAL_E = "exponential-e.com", "exponential-e.com"
    HOSTEDCOMM = "hostedcomm.com", "hostedcomm.com"


class BuildStatus(BadgeChoices):
    """A customer group's build (API.md: draft, queued, running, succeeded, failed, cancelled)."""

    DRAFT = "draft", "secondary", "Draft"
    QUEUED = "queued", "info", "Queued"
    RUNNING = "running", "primary", "Running"
    SUCCEEDED = "succeeded", "success", "Succeeded"
    FAILED = "failed", "danger", "Failed"
    CANCELLED = "cancelled", "secondary", "Cancelled"


class BuildKind(models.TextChoices):
    """What a run of steps on a group is: its first build, or a change made after it (#15)."""

    BUILD = "build", "Build"
    CHANGE = "change", "Change"


class StepStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    # A person must act on a platform first (Call Cabinet in manual mode); the build waits for them.
    WAITING = "waiting", "Waiting for you"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Not needed"


class BuildStepName(models.TextChoices):
    """The build's steps, in the order they run (G6, K2-K4, C2-C5)."""

    CLONE_GROUP = "clone_group", "Create the group from the partner's clone group"
    POOL_NUMBERS = "pool_numbers", "Add missing numbers to the partner's pool"
    ASSIGN_NUMBERS = "assign_numbers", "Assign numbers to the group"
    BUSINESS_PROFILE = "business_profile", "Set the business profile number (B1)"
    VOICE_PORTAL = "voice_portal", "Enable the voice portal (V1, V2)"
    ADMINS = "admins", "Add group administrators (A1, A2)"
    AKIXI_PARTITION = "akixi_partition", "Create the Akixi partition (K2)"
    AKIXI_SYNC = "akixi_sync", "Wait for Akixi synchronisation (K3)"
    AKIXI_USERS = "akixi_users", "Add Akixi reporting users (K4)"
    CALLCABINET_CUSTOMER = "callcabinet_customer", "Add the Call Cabinet Essential customer (C2-C5)"
    # Changes after the build (#15): the steps above that a change runs again, and these.
    UNASSIGN_NUMBERS = "unassign_numbers", "Take numbers off the group, back to the partner's pool (N1, N2)"
    REMOVE_ADMINS = "remove_admins", "Remove group administrators (A1)"
    AKIXI_RESYNC = "akixi_resync", "Synchronise Akixi now and wait for it (K3)"
    REMOVE_AKIXI_USERS = "remove_akixi_users", "Remove Akixi reporting users (K4)"
    RESTRICT_AKIXI_USERS = "restrict_akixi_users", "Limit Akixi reporting users to the customer's partition (K4)"
    CALLCABINET_ADMIN = "callcabinet_admin", "Change the Call Cabinet customer administrator (C5)"
    # Decommissioning, in this order: what hangs off the group first, the group last.
    REMOVE_CALLCABINET_CUSTOMER = "remove_callcabinet_customer", "Remove the Call Cabinet customer"
    REMOVE_AKIXI_PARTITION = "remove_akixi_partition", "Remove the Akixi partition"
    DISABLE_VOICE_PORTAL = "disable_voice_portal", "Turn the voice portal off (V1)"
    RELEASE_NUMBERS = "release_numbers", "Take every number off the group, back to the partner's pool (N2)"
    DELETE_GROUP = "delete_group", "Delete the group from BroadWorks"
