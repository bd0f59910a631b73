from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts.token_api import ApiTokenViewSet, TokenView
from customers.api import CustomerGroupViewSet
from customers.bulk_api import BulkUploadViewSet
from escalations.api import EscalationContactViewSet, EscalationViewSet
from events.api import EventViewSet, WebhookEndpointViewSet
from number_pool.api import NumberRangeView, NumberViewSet
from onboarding.api import OnboardingOrderViewSet
from partners.api import PartnerViewSet
from porting.api import PortRequestViewSet
from reconciliation.api import DriftViewSet, ReconciliationRunViewSet

from . import views
from .metrics import metrics_view

router = SimpleRouter()
router.register("auth/tokens", ApiTokenViewSet, basename="auth-token")
router.register("partners", PartnerViewSet, basename="partner")
router.register("escalation-contacts", EscalationContactViewSet, basename="escalation-contact")
router.register("escalations", EscalationViewSet, basename="escalation")
router.register("onboarding-orders", OnboardingOrderViewSet, basename="onboarding-order")
router.register("numbers", NumberViewSet, basename="number")
router.register("customer-groups", CustomerGroupViewSet, basename="customer-group")
router.register("bulk-uploads", BulkUploadViewSet, basename="bulk-upload")
router.register("port-requests", PortRequestViewSet, basename="port-request")
router.register("events", EventViewSet, basename="event")
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("drift", DriftViewSet, basename="drift")
router.register("reconciliation-runs", ReconciliationRunViewSet, basename="reconciliation-run")

api_urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("number-ranges/", NumberRangeView.as_view(), name="number-range"),
    # The split view serves Swagger UI's start-up script as a file, so the page needs no inline
    # script (CSP). Swagger UI does set inline styles; only this page allows them, never scripts.
    # Our template gives the page a language and a link back to the portal (#16).
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api_docs.html")
        ),
        name="api-docs",
    ),
    *router.urls,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("system/", views.system_health, name="system_health"),
    path("system/platforms/", views.platforms, name="platforms"),
    path("accounts/", include("accounts.urls")),
    path("accounts/passkeys/", include("accounts.passkeys")),  # django-otp-webauthn's, namespace otp_webauthn
    path("", include("partners.urls")),
    path("", include("number_pool.urls")),
    path("", include("onboarding.urls")),
    path("", include("customers.urls")),
    path("", include("escalations.urls")),
    path("", include("porting.urls")),
    path("", include("reconciliation.urls")),
    path("", include("events.urls")),
    path("api/v1/", include(api_urlpatterns)),
]

handler400 = "expoe_portal.views.bad_request"
handler403 = "expoe_portal.views.permission_denied"
handler404 = "expoe_portal.views.page_not_found"
handler500 = "expoe_portal.views.server_error"
