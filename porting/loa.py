"""Letters of authority (P3, P6): the PDF the end customer signs, pre-filled from the port request,
and which signed letter still covers the request. Reads only; porting.documents keeps the signed one.

A signed letter covers what it said: the end customer, the registered address, the numbers and the
losing provider. Once any of them changes, the letter no longer authorises the port and must be
signed again (a requested port date may move without a new signature: the carrier confirms the date)."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from .choices import DocumentKind
from .models import PortDocument, PortRequest

GAINING_PROVIDER = "EXPO.e (Exponential-e Ltd)"
# Shown beside the tick box and printed, word for word, in the signed letter.
LOA_CONSENT = (
    "I am authorised to act for the end customer named in this letter, and I authorise the gaining "
    "reseller and EXPO.e to port the numbers listed from the losing provider. I have read the risks "
    "of porting shown in the portal."
)
NUMBER_COLUMNS = 4


@dataclass(frozen=True)
class Signature:
    """An online signature, as stamped into the signed letter."""

    name: str
    position: str
    at: datetime
    address: str
    collected_by: str


def end_customer(port_request: PortRequest) -> str:
    group = port_request.customer_group
    return group.name if group is not None else ""


def loa_terms(port_request: PortRequest) -> dict[str, Any]:
    """What the letter authorises: a change to any of these voids a signed letter."""
    return {
        "end_customer": end_customer(port_request),
        "registered_address": " ".join(port_request.registered_address.split()),
        "main_billing_number": port_request.main_billing_number,
        "numbers": sorted(port_request.numbers or []),
        "losing_provider": port_request.losing_provider,
    }


def loa_fingerprint(port_request: PortRequest) -> str:
    return hashlib.sha256(json.dumps(loa_terms(port_request), sort_keys=True).encode()).hexdigest()


def current_loa(port_request: PortRequest) -> PortDocument | None:
    """The newest letter of authority that still covers the request, or None."""
    fingerprint = loa_fingerprint(port_request)
    letters = [d for d in port_request.documents.all() if d.kind == DocumentKind.LETTER_OF_AUTHORITY]
    covering = [d for d in letters if d.covers == fingerprint]
    return max(covering, key=lambda d: (d.uploaded_at, d.pk)) if covering else None


def void_loa(port_request: PortRequest) -> PortDocument | None:
    """The newest letter of authority when none covers the request any more (it was signed for
    other numbers, address, losing provider or customer), else None."""
    letters = [d for d in port_request.documents.all() if d.kind == DocumentKind.LETTER_OF_AUTHORITY]
    if not letters or current_loa(port_request) is not None:
        return None
    return max(letters, key=lambda d: (d.uploaded_at, d.pk))


def number_ranges(numbers: list[str]) -> list[str]:
    """Consecutive numbers as one "first – last (n numbers)" line, so a block of thousands takes a line."""
    lines: list[str] = []
    ordered = sorted(set(numbers), key=lambda n: (len(n), n))
    start = previous = None
    for number in [*ordered, None]:
        follows = previous is not None and number is not None and len(number) == len(previous)
        if follows and int(number[1:]) == int(previous[1:]) + 1:
            previous = number
            continue
        if start is not None and previous is not None:
            count = int(previous[1:]) - int(start[1:]) + 1
            lines.append(start if count == 1 else f"{start} – {previous} ({count:,} numbers)")
        start = previous = number
    return lines


def _paragraph(text: str, style) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def loa_pdf(port_request: PortRequest, *, signature: Signature | None = None, compress: bool = True) -> bytes:
    """The letter as a PDF; `compress=False` leaves the page text readable in the file (tests)."""
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)
    requested = getattr(port_request, "requested_port_date", None)
    rows = [
        ("End customer", end_customer(port_request) or "(the account holder of the numbers)"),
        ("Registered address of the numbers", port_request.registered_address or "—"),
        ("Main billing number", port_request.main_billing_number or "—"),
        ("Losing provider", port_request.losing_provider or "—"),
        ("Requested port date", f"{requested:%d %B %Y}" if requested else "As soon as the lead time allows"),
        ("Gaining reseller", f"{port_request.partner.name} ({port_request.partner.partner_id})"),
        ("Gaining provider", GAINING_PROVIDER),
        ("Port request", f"{port_request.pk}, {port_request.country}"),
    ]
    story: list[Any] = [
        Paragraph("Letter of authority to port telephone numbers", styles["Title"]),
        _paragraph(
            "The end customer below authorises the gaining reseller and the gaining provider to port the "
            "telephone numbers listed in this letter from the losing provider.",
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    details = LongTable([[_paragraph(k, body), _paragraph(v, body)] for k, v in rows], colWidths=[55 * mm, 115 * mm])
    details.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.3, colors.grey)]))
    story += [details, Spacer(1, 4 * mm)]
    lines = number_ranges(port_request.numbers or [])
    story.append(_paragraph(f"Numbers to port ({len(port_request.numbers or []):,}):", body))
    # A long list flows over as many pages as it needs; range lines are long, so two to a row.
    columns = 2 if any("–" in line for line in lines) else NUMBER_COLUMNS
    cells = [lines[i : i + columns] for i in range(0, len(lines), columns)] or [["—"]]
    cells = [row + [""] * (columns - len(row)) for row in cells]
    table = LongTable(cells, colWidths=[170 * mm / columns] * columns)
    table.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 8), ("LEADING", (0, 0), (-1, -1), 9.5)]))
    story += [table, Spacer(1, 6 * mm)]
    if signature is None:
        story += [
            _paragraph("Signed for the end customer:", body),
            _paragraph("Name: ______________________________   Position: ______________________", body),
            _paragraph("Signature: __________________________   Date: __________________________", body),
        ]
    else:
        at = signature.at.astimezone(UTC)
        story += [
            _paragraph("Signed online for the end customer", styles["Heading3"]),
            _paragraph(f"Name: {signature.name}\nPosition: {signature.position}", body),
            _paragraph(f"Signed at: {at:%Y-%m-%d %H:%M:%S} UTC from the address {signature.address}", body),
            _paragraph(f"Collected by the portal user: {signature.collected_by}", body),
            _paragraph(f"The signer ticked: “{LOA_CONSENT}”", small),
        ]
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Letter of authority, port request {port_request.pk}",
        author=GAINING_PROVIDER,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        pageCompression=1 if compress else 0,
        invariant=1,
    )

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(20 * mm, 10 * mm, f"Port request {port_request.pk} — letter of authority — page {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
