"""Can the platforms build a customer today? Each check logs in and reads, never writes, what builds
rely on: the clone service provider and EXPO.e's template group, each onboarded partner's
service provider authorised for what its clone template uses (BroadWorks refuses a group given
anything more), the Akixi credentials, Call Cabinet's mode. `python manage.py check_platforms`
prints them; the staff Platforms page shows them with each platform's recent calls.

Composition root: it reads the partners (the database) and calls the gateways (integrations)."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from integrations.base import IntegrationError
from integrations.choices import CallOutcome, Platform
from integrations.models import ExternalCall
from integrations.platforms import get_gateway
from partners.choices import OrderStatus
from partners.models import Partner

RECENT = timedelta(hours=24)


@dataclass(frozen=True)
class Check:
    platform: str
    what: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        detail = f": {self.detail}" if self.detail else ""
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.platform:<11}  {self.what}{detail}"


def _run(platform: str, what: str, probe: Any) -> Check:
    """One check: `probe()` returns (ok, detail); a platform error is a failed check with its reason."""
    try:
        ok, detail = probe()
    except IntegrationError as exc:
        return Check(platform, what, False, str(exc))
    return Check(platform, what, ok, detail)


def broadworks_checks(bw: Any) -> list[Check]:
    clones = getattr(bw, "clone_service_provider_id", settings.CLONE_SERVICE_PROVIDER_ID)
    template = settings.BROADWORKS_CLONE_TEMPLATE_GROUP_ID
    checks = [
        _run(
            "broadworks",
            f"logs in; clone service provider {clones} exists (G1)",
            lambda: (bw.service_provider_exists(clones), ""),
        )
    ]
    if not checks[0].ok:
        return checks
    checks.append(
        _run("broadworks", f"template group {template} in {clones} (O2)", lambda: _template(bw, clones, template))
    )
    for partner in onboarded_partners():
        checks.append(
            _run(
                "broadworks",
                f"{partner.partner_id} is authorised for what its clone group {partner.clone_group_id} uses",
                lambda partner=partner: _covers_template(bw, clones, partner),
            )
        )
    return checks


def onboarded_partners() -> Any:
    """Partners whose accounts exist (live, or onboarding past O2): their builds rely on them."""
    after_accounts = [
        OrderStatus.ACCOUNTS_CREATED,
        OrderStatus.KICKOFF_ARRANGED,
        OrderStatus.TRAINING,
        OrderStatus.LIVE,
    ]
    return (
        Partner.objects.exclude(clone_group_id="")
        .filter(Q(live=True) | Q(current_order_status__in=after_accounts))
        .order_by("partner_id")
    )


def _template(bw: Any, clones: str, template: str) -> tuple[bool, str]:
    if not bw.group_exists(clones, template):
        return False, "not found: new partners' clone groups are copied from it"
    settings_ = bw.group_template(clones, template, operation="check_platforms")
    return True, (
        f"{len(settings_['group_services'])} group services, {len(settings_['user_services'])} user services, "
        f"{len(settings_['service_packs'])} service packs"
    )


def _covers_template(bw: Any, clones: str, partner: Partner) -> tuple[bool, str]:
    if not bw.service_provider_exists(partner.partner_id):
        return False, "its service provider is not on BroadWorks (run O2)"
    wanted = bw.group_template(clones, partner.clone_group_id, operation="check_platforms")
    have = bw.service_provider_authorisations(partner.partner_id)
    missing = [
        *(s for s in wanted["group_services"] if s not in have["group_services"]),
        *(s for s in wanted["user_services"] if s not in have["user_services"]),
        *(f"service pack {p}" for p in wanted["service_packs"] if p not in have["service_packs"]),
    ]
    if missing:
        return False, f"missing {', '.join(missing)} (run O2 again to authorise them)"
    return True, ""


def reseller_platform_check(platform: Platform, gateway: Any, probe_id: str) -> Check:
    """Akixi or Call Cabinet: the credentials work (a read of reseller `probe_id`), or the manual
    mode in use."""
    manual = "Manual" in type(gateway).__name__
    what = f"{platform.label}: {'manual mode: co-ordinators act on it' if manual else 'credentials work'}"
    return _run(platform.value, what, lambda: (gateway.reseller_exists(probe_id) in (True, False), ""))


def platform_checks() -> list[Check]:
    checks: list[Check] = []
    probe_id = Partner.objects.order_by("partner_id").values_list("partner_id", flat=True).first() or "CHECK"
    for platform in Platform:
        try:
            gateway = get_gateway(platform.value)
        except IntegrationError as exc:
            checks.append(Check(platform.value, f"{platform.label} is configured", False, str(exc)))
            continue
        if platform == Platform.BROADWORKS:
            checks.extend(broadworks_checks(gateway))
        else:
            checks.append(reseller_platform_check(platform, gateway, probe_id))
    return checks


def recent_calls() -> list[dict[str, Any]]:
    """Each platform's calls in the last 24 hours: how many, how many failed, the last error."""
    since = timezone.now() - RECENT
    failed = ~Q(outcome=CallOutcome.OK)
    counts = {
        row["platform"]: row
        for row in ExternalCall.objects.filter(started_at__gte=since)
        .values("platform")
        .annotate(calls=Count("id"), failed=Count("id", filter=failed))
    }
    rows = []
    for platform in Platform:
        row = counts.get(platform.value, {"calls": 0, "failed": 0})
        last_error = (
            ExternalCall.objects.filter(platform=platform.value)
            .filter(failed)
            .exclude(error="")
            .order_by("-started_at")
            .first()
        )
        rows.append(
            {
                "label": platform.label,
                "calls": row["calls"],
                "failed": row["failed"],
                "error_rate": round(100 * row["failed"] / row["calls"]) if row["calls"] else 0,
                "last_error": last_error,
            }
        )
    return rows
