"""The customer build request: every rule of the guide checked before anything is sent anywhere.

`validate_build_request` takes the request as plain data (the API's shape; the form produces the
same) and returns it cleaned, or raises one ValidationError whose keys name each field, dotted
for nested ones ("voice_portal.number", "admins.1.user_id"). `build_plan` lists, in order, what
the build will do on each platform.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower

from number_pool.choices import NumberStatus
from number_pool.models import Number
from number_pool.parsing import numbers_as_text, parse_number
from partners.models import Partner
from partners.validators import broadworks_id_validator

from .choices import BuildStepName, GroupDomain
from .models import AkixiUser, CustomerGroup, GroupAdmin

# K4: what every customer reporting user gets on Akixi. Shown, never editable; never "Any Partition".
AKIXI_USER_FIXED_SETTINGS = {
    "Role": "Reporting Only User",
    "Reporting level": "1000 Supervisor",
    "Default reports": "Standard Reports",
    "Password change required": "On",
    "Send welcome email": "On",
    "Enable MFA": "On",
    "Partition permission": "This customer's own partition only",
    "Group / device / agent permission": "Any (within the partition)",
}
# K2: the partition's fixed values.
AKIXI_PARTITION_FIXED = {
    "Telephony server type": "Service Provider Group",
    "Synchronisation type": "By Service Pack",
    "Maintain parity": "On (nightly synchronisation)",
}
_USER_ID_LOCAL = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._\-']{0,79}\Z")
_MIN_ADMIN_PASSWORD = 8


class _Errors(dict):
    def add(self, key: str, message: str) -> None:
        self.setdefault(key, []).append(message)


def suggest_group_id(name: str, *, taken=None) -> str:
    """G3: a group ID from the customer's name ("Alpha Widgets Ltd" -> "AlphaWidgetsLtd"), made
    unique with a number when needed."""
    ascii_name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", ascii_name)
    base = "".join(w[:1].upper() + w[1:] for w in words)[:30] or "Customer"
    taken = taken if taken is not None else _group_id_taken
    candidate, n = base, 1
    while taken(candidate):
        n += 1
        candidate = f"{base[: 30 - len(str(n))]}{n}"
    return candidate


def _group_id_taken(group_id: str, exclude_pk=None) -> bool:
    # Compared as the unique index has it (Lower), so PostgreSQL can use that index: `iexact` is
    # UPPER() = UPPER(), which scans every group (each row of a bulk upload asks).
    taken = CustomerGroup.objects.annotate(lower_id=Lower("group_id")).filter(lower_id=group_id.lower())
    return taken.exclude(pk=exclude_pk).exists()


def default_admin_user_id(first_name: str, last_name: str, domain: str) -> str:
    """A1: firstname.surname@domain."""

    def part(text):
        ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
        return re.sub(r"[^A-Za-z0-9'\-]", "", ascii_text).lower()

    return f"{part(first_name)}.{part(last_name)}@{domain}"


@dataclass
class _Context:
    partner: Partner
    group: CustomerGroup | None
    errors: _Errors


def validate_build_request(*, partner: Partner, data: dict, group: CustomerGroup | None = None) -> dict:
    ctx = _Context(partner=partner, group=group, errors=_Errors())
    _check_partner(ctx)
    cleaned = {}
    cleaned.update(_clean_group(ctx, data))
    cleaned.update(_clean_numbers(ctx, data, cleaned))
    cleaned["voice_portal"] = _clean_voice_portal(ctx, data.get("voice_portal") or {}, cleaned)
    cleaned["admins"] = _clean_admins(ctx, data.get("admins") or [], cleaned.get("domain"))
    cleaned["akixi"] = _clean_akixi(ctx, data.get("akixi") or {})
    cleaned["callcabinet"] = _clean_callcabinet(ctx, data.get("callcabinet") or {})
    if ctx.errors:
        raise ValidationError(dict(ctx.errors))
    return cleaned


def partner_refusals(partner: Partner) -> list[str]:
    """The request's partner-level refusals (O6 not live, G2 no clone group), before anything is typed
    or read: said once (the form's top, a whole spreadsheet), not beside every field or row."""
    try:
        validate_build_request(partner=partner, data={})
    except ValidationError as exc:
        return exc.message_dict.get("partner", [])
    return []


def _check_partner(ctx):
    if not ctx.partner.live:
        ctx.errors.add("partner", f"{ctx.partner.partner_id} is not live yet: customers are built after go-live (O6).")
    if not ctx.partner.clone_group_id:
        ctx.errors.add("partner", f"{ctx.partner.partner_id} has no clone group to build from (G2).")


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def _clean_group(ctx, data):
    group_id, name, domain = _text(data, "group_id"), _text(data, "name"), _text(data, "domain")
    if not name:
        ctx.errors.add("name", "Enter the end customer's name (G4).")
    if not group_id:
        ctx.errors.add("group_id", "Enter a group ID; the customer's name is the usual choice (G3).")
    else:
        try:
            broadworks_id_validator(group_id)
        except ValidationError as exc:
            ctx.errors.add("group_id", exc.messages[0])
        else:
            if _group_id_taken(group_id, exclude_pk=ctx.group.pk if ctx.group else None):
                ctx.errors.add("group_id", f"The group ID “{group_id}” is already used on the platform (G3).")
    if domain not in GroupDomain.values:
        ctx.errors.add("domain", f"Choose {' or '.join(GroupDomain.values)} (G5).")
    length = data.get("extension_length", settings.GROUP_EXTENSION_LENGTH_DEFAULT)
    try:
        length = int(length)
    except (TypeError, ValueError):
        length = None
    low, high = settings.GROUP_EXTENSION_LENGTH_MIN, settings.GROUP_EXTENSION_LENGTH_MAX
    if length is None or not low <= length <= high:
        ctx.errors.add("extension_length", f"Extensions are {low} to {high} digits long.")
    return {"group_id": group_id, "name": name, "domain": domain, "extension_length": length}


def _clean_numbers(ctx, data, cleaned):
    """N1, N2, B1: the group's numbers come from its partner's pool; the business profile number
    (the group CLID) is one of them."""
    raw = data.get("numbers") or []
    numbers, unreadable = [], []
    for value in raw:
        try:
            numbers.append(parse_number(str(value)))
        except ValidationError:
            unreadable.append(str(value))
    numbers = list(dict.fromkeys(numbers))
    if unreadable:
        ctx.errors.add("numbers", f"Not phone numbers: {', '.join(unreadable)}.")
    if not numbers and not unreadable:
        ctx.errors.add("numbers", "Choose at least one number from the partner's pool (N1).")
    usable = {
        n.e164
        for n in Number.objects.filter(e164__in_values=numbers, partner=ctx.partner).only("e164", "status")
        if n.status == NumberStatus.AVAILABLE or (ctx.group is not None and n.customer_group_id == ctx.group.pk)
    }
    if missing := [n for n in numbers if n not in usable]:
        ctx.errors.add(
            "numbers",
            f"Not available in {ctx.partner.partner_id}'s number pool (N2): {', '.join(missing[:20])}"
            + (f" and {len(missing) - 20} more" if len(missing) > 20 else "")
            + ".",
        )
    clid = _text(data, "business_profile_number")
    if not clid:
        ctx.errors.add("business_profile_number", "Every group needs a business profile number (B1).")
    else:
        try:
            clid = parse_number(clid)
        except ValidationError as exc:
            ctx.errors.add("business_profile_number", exc.messages[0])
        else:
            if clid not in numbers:
                ctx.errors.add(
                    "business_profile_number", "The business profile number must be one of the group's numbers (B1)."
                )
    present = data.get("present_group_number_as_clid", False)
    if not isinstance(present, bool):
        ctx.errors.add("present_group_number_as_clid", "Answer true or false.")
    return {"numbers": numbers, "business_profile_number": clid, "present_group_number_as_clid": present is True}


def _clean_voice_portal(ctx, data, cleaned):
    """V1: a number or an extension; V2: a number when voicemail is dialled from outside."""
    number, extension = _text(data, "number"), _text(data, "extension")
    external = data.get("external_dial_in") in (True, "true", "True", "on", "1", 1)
    if not number and not extension:
        ctx.errors.add("voice_portal.number", "Give the voice portal a number or an extension (V1).")
    if number:
        try:
            number = parse_number(number)
        except ValidationError as exc:
            ctx.errors.add("voice_portal.number", exc.messages[0])
        else:
            if number not in cleaned.get("numbers", []):
                ctx.errors.add("voice_portal.number", "The voice portal number must be one of the group's numbers.")
    if external and not number:
        ctx.errors.add(
            "voice_portal.number", "Dialling into voicemail from outside (a mobile) needs a voice portal number (V2)."
        )
    length = cleaned.get("extension_length")
    if extension and (not extension.isdigit() or (length and len(extension) != length)):
        ctx.errors.add("voice_portal.extension", f"The extension must be {length or 'the group’s'} digits long.")
    return {"number": number, "extension": extension, "external_dial_in": external}


def _clean_admins(ctx, admins, domain):
    """A1: unique user IDs (exact case), firstname.surname@domain by default; A2: names and a
    password, typed or generated."""
    if not admins:
        ctx.errors.add("admins", "Add at least one group administrator (G6).")
    cleaned, seen = [], set()
    for i, admin in enumerate(admins):
        key = f"admins.{i}"
        first, last = _text(admin, "first_name"), _text(admin, "last_name")
        if not first:
            ctx.errors.add(f"{key}.first_name", "Enter the administrator's first name (A2).")
        if not last:
            ctx.errors.add(f"{key}.last_name", "Enter the administrator's last name (A2).")
        user_id = _text(admin, "user_id") or (default_admin_user_id(first, last, domain) if first and last else "")
        if user_id:
            local, _, user_domain = user_id.partition("@")
            if not _USER_ID_LOCAL.match(local):
                ctx.errors.add(f"{key}.user_id", f"“{user_id}” is not a valid user ID (firstname.surname@{domain}).")
            elif domain and user_domain != domain:
                ctx.errors.add(f"{key}.user_id", f"User IDs of this group end in @{domain} (A1, G5).")
            elif user_id in seen:
                ctx.errors.add(f"{key}.user_id", f"“{user_id}” is used twice in this request (A1).")
            elif GroupAdmin.objects.filter(user_id=user_id).exclude(group=ctx.group).exists():
                ctx.errors.add(f"{key}.user_id", f"The user ID “{user_id}” already exists on the platform (A1).")
            seen.add(user_id)
        password = admin.get("password") or ""
        if password and (len(password) < _MIN_ADMIN_PASSWORD or password.isalpha() or password.isdigit()):
            ctx.errors.add(
                f"{key}.password",
                f"Use at least {_MIN_ADMIN_PASSWORD} characters with letters and digits, "
                "or leave it blank to generate one (A2).",
            )
        cleaned.append({"first_name": first, "last_name": last, "user_id": user_id, "password": password})
    return cleaned


def _clean_akixi(ctx, data):
    """K2: the licence (from settings); K4: reporting users with unique usernames."""
    licence, users = _text(data, "licence"), data.get("users") or []
    if licence and licence not in settings.AKIXI_LICENCES:
        ctx.errors.add("akixi.licence", f"Choose one of: {', '.join(settings.AKIXI_LICENCES)} (K2).")
    if users and not licence:
        ctx.errors.add("akixi.licence", "Reporting users need the customer's Akixi licence (K2).")
    if licence and not users:
        ctx.errors.add("akixi.users", "Add at least one Akixi reporting user (K4).")
    cleaned, seen = [], set()
    for i, user in enumerate(users):
        key = f"akixi.users.{i}"
        username, full_name, email = _text(user, "username"), _text(user, "full_name"), _text(user, "email")
        if not username:
            ctx.errors.add(f"{key}.username", "Enter a username (K4).")
        elif username.lower() in seen:
            ctx.errors.add(f"{key}.username", f"“{username}” is used twice in this request (K4).")
        elif (
            AkixiUser.objects.annotate(lower=Lower("username"))
            .filter(lower=username.lower())
            .exclude(group=ctx.group)
            .exists()
        ):
            ctx.errors.add(f"{key}.username", f"The Akixi username “{username}” is already taken (K4).")
        seen.add(username.lower())
        if not full_name:
            ctx.errors.add(f"{key}.full_name", "Enter the user's full name.")
        try:
            validate_email(email)
        except ValidationError:
            ctx.errors.add(f"{key}.email", "Enter a valid email address: the welcome email goes there (K4).")
        cleaned.append({"username": username, "full_name": full_name, "email": email})
    return {"licence": licence, "users": cleaned}


def _clean_callcabinet(ctx, data):
    """C5: the customer administrator's name and email, both or neither (no call recording)."""
    name, email = _text(data, "admin_name"), _text(data, "admin_email")
    if name and not email:
        ctx.errors.add("callcabinet.admin_email", "Enter the administrator's email: the welcome email goes there (C5).")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            ctx.errors.add("callcabinet.admin_email", "Enter a valid email address (C5).")
        if not name:
            ctx.errors.add("callcabinet.admin_name", "Enter the customer administrator's name (C5).")
    return {"admin_name": name, "admin_email": email}


# Which build steps (customers.builds) perform each of the plan's operations, by the operation's
# name: the build page shows the plan's operations with their steps' status, so the preview and the
# build list the same operations. Several operations may share a step; one may need two. An
# operation no step performs (C6: the partner applies licences in the Partner portal) has none.
PLAN_STEPS: dict[str, tuple[str, ...]] = {
    "Check the group ID is free": (BuildStepName.CLONE_GROUP,),
    "Read the clone group": (BuildStepName.CLONE_GROUP,),
    "Create the group from the clone": (BuildStepName.CLONE_GROUP,),
    "Assign numbers": (BuildStepName.POOL_NUMBERS, BuildStepName.ASSIGN_NUMBERS),
    "Set the business profile number (group CLID)": (BuildStepName.BUSINESS_PROFILE,),
    "Enable the voice portal": (BuildStepName.VOICE_PORTAL,),
    "Add group administrator": (BuildStepName.ADMINS,),
    "Create the customer's partition": (BuildStepName.AKIXI_PARTITION,),
    "Wait for “synchronisation completed”": (BuildStepName.AKIXI_SYNC,),
    "Add reporting user": (BuildStepName.AKIXI_USERS,),
    "Add New Essential Customer": (BuildStepName.CALLCABINET_CUSTOMER,),
    "Register the customer administrator": (BuildStepName.CALLCABINET_CUSTOMER,),
    "Apply call-recording licences": (),
}


def build_plan(group: CustomerGroup) -> list[dict]:
    """Every operation the build performs, in order, per platform (shown before confirming), with
    the build steps that perform it (`steps`)."""
    partner = group.partner
    numbers = list(group.numbers.values_list("e164", flat=True))
    steps = [
        ("broadworks", "Check the group ID is free", f"{group.group_id} under {partner.partner_id} (G3)"),
        (
            "broadworks",
            "Read the clone group",
            f"{group.clone_group_id} of {group.clone_service_provider_id or partner.partner_id} (G1, G2)",
        ),
        (
            "broadworks",
            "Create the group from the clone",
            f"{group.group_id} “{group.name}” in {partner.partner_id}, domain {group.domain}, "
            f"extensions of {group.extension_length} digits (G4, G5)",
        ),
        ("broadworks", "Assign numbers", f"{len(numbers)}: {numbers_as_text(numbers, separator=', ', dash='–')} (N1)"),
        (
            "broadworks",
            "Set the business profile number (group CLID)",
            f"{group.business_profile_number} (B1)"
            + ("; users present it as their caller ID" if group.present_group_number_as_clid else ""),
        ),
        ("broadworks", "Enable the voice portal", _voice_portal_text(group)),
        *(
            ("broadworks", "Add group administrator", f"{a.first_name} {a.last_name}: {a.user_id} (A1, A2)")
            for a in group.admins.all()
        ),
    ]
    if group.akixi_licence:
        steps += [
            (
                "akixi",
                "Create the customer's partition",
                f"“{group.name}”, billing ID {group.group_id}, licensed for {group.akixi_licence}, "
                f"provider {partner.partner_id}, group {group.group_id}; "
                + ", ".join(f"{k}: {v}" for k, v in AKIXI_PARTITION_FIXED.items())
                + " (K2)",
            ),
            ("akixi", "Wait for “synchronisation completed”", "request a sync if it does not complete (K3)"),
            *(
                ("akixi", "Add reporting user", f"{u.username} ({u.full_name}, {u.email}); own partition only (K4)")
                for u in group.akixi_users.all()
            ),
        ]
    if group.has_callcabinet:
        steps += [
            (
                "callcabinet",
                "Add New Essential Customer",
                f"dealer and billing code {group.dealer_code}, BroadWorks group {group.group_id}, "
                f"provider {partner.partner_id} (C2, C3, C4)",
            ),
            (
                "callcabinet",
                "Register the customer administrator",
                f"{group.callcabinet_admin_name} <{group.callcabinet_admin_email}> (C5)",
            ),
            (
                "callcabinet",
                "Apply call-recording licences",
                "to users in the Partner portal, then recording starts (C6)",
            ),
        ]
    return [
        {"platform": platform, "operation": op, "detail": detail, "steps": PLAN_STEPS[op]}
        for platform, op, detail in steps
    ]


def _voice_portal_text(group):
    parts = []
    if group.voice_portal_number:
        parts.append(f"number {group.voice_portal_number}")
    if group.voice_portal_extension:
        parts.append(f"extension {group.voice_portal_extension}")
    dial_in = "with" if group.voice_portal_external_dial_in else "without"
    return f"{' and '.join(parts)}, {dial_in} outside dial-in (V1, V2)"
