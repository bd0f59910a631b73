"""`check_platforms` and the staff Platforms page: read-only checks that the platforms can build a
customer (the template group, each partner's authorisations, the REST credentials), against the
three strict simulators over sockets."""

import pytest
from django.core.management import CommandError, call_command

from accounts.choices import Role
from integrations.models import ExternalCall
from integrations.sources import ASSUMED, DOCUMENTED, OPERATIONS

pytestmark = pytest.mark.django_db

WRITES = {
    "add_service_provider", "authorise_service_provider", "add_portal_login", "reset_portal_login_password",
    "add_clone_group", "add_group_from_template", "add_numbers_to_service_provider", "assign_numbers",
    "set_group_clid", "enable_voice_portal", "add_group_admin", "add_reseller", "add_partition",
    "request_sync", "add_reporting_user", "add_essential_customer",
}  # fmt: skip


def test_check_platforms_passes_against_the_simulators_and_only_reads(simulators, world, capsys):
    call_command("check_platforms")
    out = capsys.readouterr().out
    assert "ok    broadworks   logs in; clone service provider ExpoePartner exists (G1)" in out
    assert "template group EXPOE-MASTER-CLONE in ExpoePartner (O2): 5 group services" in out
    assert "ACME01 is authorised for what its clone group ACME01-CLONE uses" in out
    assert "FAIL" not in out and "platform checks passed" in out
    assert not ExternalCall.objects.filter(operation__in=WRITES).exists(), "checks never write"


def test_check_platforms_fails_with_a_clear_line_when_the_template_group_is_missing(simulators, settings, capsys):
    settings.BROADWORKS_CLONE_TEMPLATE_GROUP_ID = "NO-SUCH-TEMPLATE"
    with pytest.raises(CommandError, match="1 of .* platform checks failed"):
        call_command("check_platforms")
    assert (
        "FAIL  broadworks   template group NO-SUCH-TEMPLATE in ExpoePartner (O2): not found: new partners' "
        "clone groups are copied from it"
    ) in capsys.readouterr().out


def test_check_platforms_fails_when_a_partners_provider_lacks_an_authorisation(simulators, world, capsys):
    bw = simulators["bw"].state
    with bw.lock:
        del bw.service_provider("ACME01")["group_services"]["Hunt Group"]
    with pytest.raises(CommandError):
        call_command("check_platforms")
    assert (
        "FAIL  broadworks   ACME01 is authorised for what its clone group ACME01-CLONE uses: missing Hunt Group "
        "(run O2 again to authorise them)"
    ) in capsys.readouterr().out


def test_check_platforms_fails_on_wrong_credentials(simulators, settings, capsys):
    settings.BROADWORKS_PASSWORD = "wrong"
    with pytest.raises(CommandError):
        call_command("check_platforms")
    out = capsys.readouterr().out
    assert "FAIL  broadworks   logs in" in out and "BroadWorks login failed" in out and "wrong" not in out


def test_the_platforms_page_shows_the_checks_recent_calls_and_what_rests_on_an_assumption(simulators, client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    assert client.get("/system/platforms/").status_code == 403
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get("/system/platforms/").content.decode()
    assert "Ready to build" in page and 'data-ok="false"' not in page
    assert "Calls in the last 24 hours" in page and "BroadWorks" in page
    assert page.count('data-rests-on="assumed"') == sum(op.rests_on == ASSUMED for op in OPERATIONS)
    assert page.count('data-rests-on="documented"') == sum(op.rests_on == DOCUMENTED for op in OPERATIONS)
