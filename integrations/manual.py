"""What the manual gateways share: a platform in manual mode (Akixi's, Call Cabinet's), where a
person does the work in the platform and confirms it in the portal, and nothing is sent anywhere.
Each create either finds what was confirmed or fails with the exact instructions (code "manual",
which a build step shows as waiting for a person). A read only the platform can answer (what
reconciliation compares) raises `NotCheckedInManualMode`."""

from collections.abc import Callable

from integrations.base import PermanentError

MANUAL = "manual"
NOT_CHECKED = "not_checked_manual"


def nothing_confirmed(_key: str) -> None:
    """What a manual gateway hears until the portal says otherwise: nothing is confirmed yet."""
    return None


def instructions(lines: list[str]) -> PermanentError:
    """The refusal that tells a person what to do by hand."""
    return PermanentError(" ".join(lines), code=MANUAL)


class NotCheckedInManualMode(PermanentError):
    """A read a manual gateway cannot make: only the platform knows the answer, and in manual mode
    the portal does not ask it. Reconciliation catches this class and reports "not checked: manual
    mode"; a caller that does not is stopped as by any permanent error (never retried)."""

    def __init__(self, platform: str, what: str) -> None:
        super().__init__(
            f"Not checked: {platform} is in manual mode, so the portal cannot read {what}.", code=NOT_CHECKED
        )
        self.platform = platform
        self.what = what


class ManualResellers:
    """The partner's reseller account by hand (Akixi K1, Call Cabinet C1): done once the co-ordinator
    recorded it on the onboarding order. A subclass gives the platform's instructions."""

    def __init__(self, *, confirmed_reseller: Callable[[str], bool | None] = nothing_confirmed) -> None:
        self._confirmed_reseller = confirmed_reseller

    def reseller_instructions(self, *, partner_id: str, name: str, email: str) -> list[str]:
        raise NotImplementedError

    def reseller_exists(self, partner_id: str) -> bool:
        return bool(self._confirmed_reseller(partner_id))

    def add_reseller(self, partner_id: str, name: str, email: str) -> str:
        if self.reseller_exists(partner_id):
            return partner_id
        raise instructions(self.reseller_instructions(partner_id=partner_id, name=name, email=email))
