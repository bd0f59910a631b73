"""Statuses, number types and rejection reasons of port requests (P1-P7), with their badges."""

from django.db import models

from expoe_portal.choices import BadgeChoices


class PortStatus(BadgeChoices):
    DRAFT = "draft", "secondary", "Draft"
    SUBMITTED = "submitted", "info", "Submitted"
    ACCEPTED = "accepted", "primary", "Accepted"
    REJECTED = "rejected", "danger", "Rejected"
    COMPLETED = "completed", "success", "Completed"
    CANCELLED = "cancelled", "dark", "Cancelled"


class PortedNumberStatus(BadgeChoices):
    """Issue #18: where one number of a request stands."""

    REQUESTED = "requested", "info", "Requested"
    ACCEPTED = "accepted", "primary", "Accepted"
    REFUSED = "refused", "danger", "Refused"
    PORTED = "ported", "success", "Ported"
    CANCELLED = "cancelled", "dark", "Cancelled"


class PlatformStatus(models.TextChoices):
    """After completion: the ported numbers on BroadWorks (N1). Blank until the port completes."""

    PENDING = "pending", "Being added"
    DONE = "done", "Added"
    FAILED = "failed", "Failed"


# States in which the partner (or the team on their behalf) may still change what was asked for.
EDITABLE_STATUSES = [PortStatus.DRAFT, PortStatus.REJECTED]
CLOSED_STATUSES = [PortStatus.COMPLETED, PortStatus.CANCELLED]
OPEN_STATUSES = [s for s in PortStatus if s not in CLOSED_STATUSES]


class NumberType(models.TextChoices):
    """P2, P4: the lead time depends on the kind of line being ported."""

    ANALOGUE = "analogue", "Analogue"
    MULTI_LINE = "multi_line", "Multi-line"
    ISDN = "isdn", "ISDN"
    NON_GEOGRAPHIC = "non_geographic", "Non-geographic"
    MOBILE = "mobile", "Mobile"


class GbRegion(models.TextChoices):
    """The UK nations: each has its own bank holidays (P4). Codes are the `holidays` package's."""

    ENG = "ENG", "England"
    SCT = "SCT", "Scotland"
    WLS = "WLS", "Wales"
    NIR = "NIR", "Northern Ireland"


class RejectionCode(models.TextChoices):
    """P5: the usual reasons a losing provider rejects a UK port."""

    POSTCODE_MISMATCH = "postcode_mismatch", "Postcode mismatch"
    WRONG_MAIN_BILLING_NUMBER = "wrong_main_billing_number", "Wrong main billing number"
    WRONG_SIGNATORY = "wrong_signatory", "Wrong signatory"
    LINE_TYPE_WRONG = "line_type_wrong", "Line type wrong"
    ASSOCIATED_NUMBERS_MISSING = "associated_numbers_missing", "Associated numbers missing"
    OTHER = "other", "Other"


class DocumentKind(models.TextChoices):
    LETTER_OF_AUTHORITY = "letter_of_authority", "Letter of authority"
    LATEST_BILL = "latest_bill", "Latest bill"
    OTHER = "other", "Other"


# How a refusal names each document a country may require before submission (P3, P6).
REQUIRED_DOCUMENT_NAMES: dict[str, str] = {
    DocumentKind.LETTER_OF_AUTHORITY: "a signed letter of authority",
    DocumentKind.LATEST_BILL: "the latest bill",
    DocumentKind.OTHER: "the supporting document",
}


# P7: what the customer must be told, and acknowledge, before a port is submitted.
PORT_RISKS = [
    "Alarms, ADSL broadband, fax machines and franking machines on these lines stop working when the numbers port.",
    "Service may be lost for a while on the day of the port.",
    "The losing provider can cancel a confirmed port up to 48 hours before the port date; the process then restarts.",
    "Inaccurate or incomplete information gets the port rejected and delays it.",
]

# Fields a country may require before submission (P3, P6), with the labels messages use.
REQUIRABLE_FIELDS = {
    "region": "Nation (for the bank holidays)",
    "main_billing_number": "Main billing number",
    "numbers": "Associated numbers and ranges",
    "registered_address": "Registered address of the numbers",
    "postcode": "Postcode in the registered address",
    "losing_provider": "Losing service provider",
    "range_holder": "Range holder",
    "number_type": "Number type",
}
