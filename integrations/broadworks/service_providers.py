"""What onboarding (O2) asks of BroadWorks about a partner's service provider: the enterprise
itself, what it is authorised for and the service packs defined in it, and the partner's login to
the Partner Self-Service Portal. A part of `BroadWorksGateway` (gateway.py), which sends them."""

from typing import Any

from . import ocip
from .ocip import as_list, authorised, is_true, quantity

SYSTEM_DOMAINS = ("exponential-e.com", "hostedcomm.com")  # G5: every partner gets both


class ServiceProviderCalls:
    """Mixed into BroadWorksGateway, whose `_call` sends and records each request."""

    clone_service_provider_id: str

    def _call(self, operation: str, target: str, requests: Any, *, not_found: bool = False) -> Any:
        raise NotImplementedError

    def group_template(self, sp: str, group_id: str, *, operation: str = "group_template") -> dict[str, Any]:
        raise NotImplementedError

    def service_provider_exists(self, sp: str) -> bool:
        c = ocip.load().c
        response = self._call(
            "service_provider_exists", sp, c.ServiceProviderGetRequest22V4(service_provider_id=sp), not_found=True
        )
        return response is not None

    def add_service_provider(self, sp: str, name: str, domain: str, *, enterprise: bool = True) -> None:
        """O2: the partner's enterprise, with `domain` as its default and both system domains
        assigned (G5), in one ServiceProviderConsolidatedAddRequest (all of it, or nothing). What it
        is authorised for is `authorise_service_provider`'s; its login, `add_portal_login`'s."""
        c = ocip.load().c
        # The schema fixes isEnterprise at true; a service provider says useCustomRoutingProfile instead.
        kind = {"is_enterprise": True} if enterprise else {"use_custom_routing_profile": False}
        request = c.ServiceProviderConsolidatedAddRequest(
            **kind,
            service_provider_id=sp,
            default_domain=domain,
            service_provider_name=name,
            domain=list(dict.fromkeys([domain, *SYSTEM_DOMAINS])),
        )
        self._call("add_service_provider", sp, request)

    def service_provider_authorisations(self, sp: str) -> dict[str, Any]:
        """What a service provider is authorised for, and the service packs defined in it."""
        c = ocip.load().c
        services, packs = self._call(
            "service_provider_authorisations",
            sp,
            [
                c.ServiceProviderServiceGetAuthorizationListRequest(service_provider_id=sp),
                c.ServiceProviderServicePackGetListRequest(service_provider_id=sp),
            ],
        )
        return {
            "group_services": {
                row["service_name"]: quantity(row) for row in authorised(services.group_services_authorization_table)
            },
            "user_services": {
                row["service_name"]: quantity(row) for row in authorised(services.user_services_authorization_table)
            },
            "service_packs": list(as_list(packs.service_pack_name)),
        }

    def authorise_service_provider(
        self,
        sp: str,
        *,
        template_group_id: str,
        template_service_provider_id: str | None = None,
        extra_user_services: tuple[str, ...] = (),
    ) -> list[str]:
        """O2: authorise the partner's service provider for every service its clone template uses,
        and define the template's service packs in it, as they are defined where the template lives
        (BroadWorks refuses a group authorised for anything its service provider does not have).
        Reads first and adds only what is missing, in one document; returns what it added."""
        c = ocip.load().c
        template_sp = template_service_provider_id or self.clone_service_provider_id
        wanted = self.group_template(template_sp, template_group_id, operation="authorise_service_provider")
        have = self.service_provider_authorisations(sp)
        group_services = [n for n in wanted["group_services"] if n not in have["group_services"]]
        packs = [n for n in wanted["service_packs"] if n not in have["service_packs"]]
        definitions = self._service_packs(template_sp, packs)
        needed = [*wanted["user_services"], *extra_user_services, *(s for d in definitions for s in d["services"])]
        user_services = [n for n in dict.fromkeys(needed) if n not in have["user_services"]]
        requests: list[Any] = []
        unlimited = c.UnboundedPositiveInt(unlimited=True)
        if group_services or user_services:
            requests.append(
                c.ServiceProviderServiceModifyAuthorizationListRequest(
                    service_provider_id=sp,
                    group_service_authorization=[
                        c.GroupServiceAuthorization(service_name=n, authorized_quantity=unlimited)
                        for n in group_services
                    ]
                    or None,
                    user_service_authorization=[
                        c.UserServiceAuthorization(service_name=n, authorized_quantity=unlimited) for n in user_services
                    ]
                    or None,
                )
            )
        requests.extend(
            c.ServiceProviderServicePackAddRequest(
                service_provider_id=sp,
                service_pack_name=d["name"],
                service_pack_description=d["description"],
                is_available_for_use=d["available"],
                service_pack_quantity=d["quantity"],
                service_name=d["services"] or None,
            )
            for d in definitions
        )
        if requests:
            self._call("authorise_service_provider", sp, requests)
        return [*group_services, *user_services, *packs]

    def _service_packs(self, sp: str, packs: list[str]) -> list[dict[str, Any]]:
        """How each of these service packs is defined in `sp`, read in one document."""
        if not packs:
            return []
        c = ocip.load().c
        details = self._call(
            "service_packs",
            sp,
            [
                c.ServiceProviderServicePackGetDetailListRequest(service_provider_id=sp, service_pack_name=p)
                for p in packs
            ],
        )
        return [
            {
                "name": pack,
                "description": detail.service_pack_description,
                "available": is_true(detail.is_available_for_use),
                "quantity": detail.service_pack_quantity,
                "services": [row["service"] for row in detail.user_service_table.to_dict()],
            }
            for pack, detail in zip(packs, details, strict=True)
        ]

    def portal_login_exists(self, user_id: str) -> bool:
        c = ocip.load().c
        request = c.ServiceProviderAdminGetRequest22V3(user_id=user_id)
        return self._call("portal_login_exists", user_id, request, not_found=True) is not None

    def add_portal_login(self, sp: str, *, user_id: str, first_name: str, last_name: str, password: str) -> None:
        """O2: the partner's own login to the Partner Self-Service Portal, a service provider
        administrator. The password goes to BroadWorks and nowhere else."""
        c = ocip.load().c
        request = c.ServiceProviderAdminAddRequest14(
            service_provider_id=sp,
            user_id=user_id,
            first_name=first_name[:30] or None,
            last_name=last_name[:30] or None,
            password=password,
            administrator_type="Normal",
        )
        self._call("add_portal_login", f"{sp}/{user_id}", request)

    def reset_portal_login_password(self, user_id: str, *, password: str) -> None:
        """O2: a new password for the partner's portal login (its invitation is sent again)."""
        c = ocip.load().c
        request = c.ServiceProviderAdminModifyRequest(user_id=user_id, password=password)
        self._call("reset_portal_login_password", user_id, request)
