"""In-memory platforms for testing the build engine's ordering, retries and idempotency.

(The platform clients themselves are tested against their simulators over sockets.)"""

from datetime import UTC, datetime

from integrations.base import PermanentError, TransientError
from integrations.platforms import Platforms


class Faults:
    def __init__(self):
        self.plan = {}  # method name -> list of exceptions to raise on its next calls

    def fail(self, method, *errors):
        self.plan.setdefault(method, []).extend(errors)

    def check(self, method):
        queue = self.plan.get(method)
        if queue:
            raise queue.pop(0)


class FakeBroadWorks:
    def __init__(self, faults, calls):
        self.faults, self.calls = faults, calls
        self.groups, self.sp_numbers, self.group_numbers_, self.clid, self.portal, self.admins = {}, {}, {}, {}, {}, {}
        self.admin_groups = {}

    def _call(self, name, *args):
        self.faults.check(name)
        self.calls.append(name)

    def group_id_owners(self, group_id):
        self._call("group_id_owners")
        return sorted({sp for sp, gid in self.groups if gid.lower() == group_id.lower()})

    def group_exists(self, sp, group_id):
        self._call("group_exists")
        return (sp, group_id) in self.groups

    def group_profile(self, sp, group_id):
        self._call("group_profile")
        return {"name": self.groups[(sp, group_id)]["name"]}

    def add_group_from_template(
        self,
        *,
        service_provider_id,
        template_group_id,
        group_id,
        name,
        domain,
        extension_length,
        template_service_provider_id=None,
        extra_user_services=(),
    ):
        self._call("add_group_from_template")
        if (service_provider_id, group_id) in self.groups:
            raise PermanentError("Group already exists")
        self.groups[(service_provider_id, group_id)] = {
            "name": name,
            "domain": domain,
            "template": template_group_id,
            "extra_user_services": tuple(extra_user_services),
        }

    def service_provider_numbers(self, sp):
        self._call("service_provider_numbers")
        return list(self.sp_numbers.get(sp, []))

    def add_numbers_to_service_provider(self, sp, numbers):
        self._call("add_numbers_to_service_provider")
        self.sp_numbers.setdefault(sp, []).extend(numbers)

    def group_numbers(self, sp, group_id, *, activated_only=True):
        self._call("group_numbers")
        return list(self.group_numbers_.get(group_id, []))

    def unassign_numbers(self, sp, group_id, numbers):
        self._call("unassign_numbers")
        # As BroadWorks: the group's CLID (B1) and its voice portal's number (V2) stay.
        kept = {self.clid.get(group_id, {}).get("number"), (self.portal.get(group_id) or (None,))[0]}
        if kept & set(numbers):
            raise PermanentError(f"{sorted(kept & set(numbers))} in use by the group")
        self.group_numbers_[group_id] = [n for n in self.group_numbers_.get(group_id, []) if n not in numbers]

    def assign_numbers(self, sp, group_id, numbers):
        self._call("assign_numbers")
        self.group_numbers_.setdefault(group_id, []).extend(numbers)

    def group_clid(self, sp, group_id):
        self._call("group_clid")
        return self.clid.get(group_id, {"number": None, "present_as_caller_id": False})

    def set_group_clid(self, sp, group_id, number, *, present_as_caller_id=False):
        self._call("set_group_clid")
        self.clid[group_id] = {"number": number, "present_as_caller_id": present_as_caller_id}

    def enable_voice_portal(self, sp, group_id, *, number, extension, external_dial_in):
        self._call("enable_voice_portal")
        self.portal[group_id] = (number, extension, external_dial_in)

    def group_admin_exists(self, user_id, *, service_provider_id=None, group_id=None):
        self._call("group_admin_exists")
        return user_id in self.admins

    def add_group_admin(self, sp, group_id, *, user_id, first_name, last_name, password):
        self._call("add_group_admin")
        if user_id in self.admins:
            raise PermanentError("User already exists")
        self.admins[user_id] = password
        self.admin_groups[user_id] = group_id

    def group_admins(self, sp, group_id):
        self._call("group_admins")
        mine = sorted(u for u, g in self.admin_groups.items() if g == group_id)
        return [{"user_id": u, "first_name": "", "last_name": ""} for u in mine]

    def delete_group_admin(self, user_id):
        self._call("delete_group_admin")
        if user_id not in self.admins:
            raise PermanentError(f"{user_id} not found")
        del self.admins[user_id], self.admin_groups[user_id]

    def voice_portal(self, sp, group_id):
        self._call("voice_portal")
        number, extension, _ = self.portal.get(group_id, (None, None, False))
        return {
            "active": group_id in self.portal and bool(number or extension),
            "number": number,
            "extension": extension,
        }

    def disable_voice_portal(self, sp, group_id):
        self._call("disable_voice_portal")
        self.portal[group_id] = (None, None, False)

    def clear_group_clid(self, sp, group_id):
        self._call("clear_group_clid")
        self.clid[group_id] = {"number": None, "present_as_caller_id": False}

    def delete_group(self, sp, group_id):
        self._call("delete_group")
        del self.groups[(sp, group_id)]
        # As GroupDeleteRequest: its numbers stay on the service provider, its admins go with it.
        self.group_numbers_.pop(group_id, None)
        for user_id in [u for u, g in self.admin_groups.items() if g == group_id]:
            del self.admins[user_id], self.admin_groups[user_id]


class FakeAkixi:
    def __init__(self, faults, calls, syncs_before_complete=1):
        self.faults, self.calls = faults, calls
        self.partitions, self.sync, self.users = {}, {}, {}
        self.syncs_before_complete = syncs_before_complete
        self.completed_at, self.sync_requests = {}, []

    def _call(self, name):
        self.faults.check(name)
        self.calls.append(name)

    def find_partition(self, group_id):
        self._call("find_partition")
        return self.partitions.get(group_id)

    def add_partition(self, *, description, billing_id, licensed_for, provider_id, group_id):
        self._call("add_partition")
        self.partitions[group_id] = f"P-{group_id}"
        self.sync[f"P-{group_id}"] = "pending"
        return self.partitions[group_id]

    def sync_status(self, partition):
        self._call("sync_status")
        if self.sync[partition] != "completed":
            self.syncs_before_complete -= 1
            if self.syncs_before_complete < 0:
                self.sync[partition] = "completed"
                self.completed_at[partition] = datetime.now(UTC)
        return self.sync[partition]

    def sync_state(self, partition):
        """A requested sync is in progress at the next look and completed at the one after."""
        self._call("sync_state")
        if self.sync[partition] == "pending":
            self.sync[partition] = "in_progress"
        elif self.sync[partition] == "in_progress":
            self.sync[partition] = "completed"
            self.completed_at[partition] = datetime.now(UTC)
        return {"status": self.sync[partition], "completed_at": self.completed_at.get(partition)}

    def request_sync(self, partition):
        self._call("request_sync")
        self.sync[partition] = "pending"
        self.sync_requests.append(partition)

    def user_exists(self, username):
        self._call("user_exists")
        return username in self.users

    def add_reporting_user(self, *, username, full_name, email, partition):
        self._call("add_reporting_user")
        self.users[username] = partition

    def partition_users(self, partition):
        self._call("partition_users")
        return sorted(u for u, scope in self.users.items() if scope == partition)

    def delete_reporting_user(self, username):
        self._call("delete_reporting_user")
        del self.users[username]

    def restrict_reporting_user(self, username, partition):
        self._call("restrict_reporting_user")
        self.users[username] = partition

    def delete_partition(self, partition):
        self._call("delete_partition")
        if any(scope == partition for scope in self.users.values()):
            raise PermanentError("The partition still has users")
        self.partitions = {g: p for g, p in self.partitions.items() if p != partition}


class FakeCallCabinet:
    def __init__(self, faults, calls):
        self.faults, self.calls, self.customers, self.admins = faults, calls, {}, {}

    def _call(self, name):
        self.faults.check(name)
        self.calls.append(name)

    def customer(self, group_id):
        self._call("customer")
        if group_id not in self.customers:
            return None
        name, email = self.admins[group_id]
        return {
            "customer_id": self.customers[group_id],
            "customer_type": "Essential",
            "admin_name": name,
            "admin_email": email,
        }

    def change_customer_admin(self, customer_id, *, name, email):
        self._call("change_customer_admin")
        group_id = next(g for g, c in self.customers.items() if c == customer_id)
        self.admins[group_id] = (name, email)

    def delete_customer(self, customer_id):
        self._call("delete_customer")
        group_id = next(g for g, c in self.customers.items() if c == customer_id)
        del self.customers[group_id], self.admins[group_id]

    def find_customer(self, group_id):
        self.faults.check("find_customer")
        self.calls.append("find_customer")
        return self.customers.get(group_id)

    def add_essential_customer(self, customer):
        self.faults.check("add_essential_customer")
        self.calls.append("add_essential_customer")
        self.customers[customer.broadworks_group_id] = f"CC-{customer.dealer_code}"
        self.admins[customer.broadworks_group_id] = (customer.admin_name, customer.admin_email)
        return self.customers[customer.broadworks_group_id]


def fake_platforms():
    faults, calls = Faults(), []
    platforms = Platforms(FakeBroadWorks(faults, calls), FakeAkixi(faults, calls), FakeCallCabinet(faults, calls))
    platforms.faults, platforms.calls = faults, calls
    return platforms


__all__ = ["PermanentError", "TransientError", "fake_platforms"]
