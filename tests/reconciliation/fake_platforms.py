"""The customers' in-memory platforms (tests/customers/fake_platforms.py) with the reads that
reconciliation makes, and ways to change their state behind the portal's back (drift)."""

from integrations.platforms import Platforms
from tests.customers.fake_platforms import FakeAkixi, FakeBroadWorks, FakeCallCabinet, Faults

# What a gateway may be asked to write; reconciliation must call none of these.
WRITES = {
    "add_group_from_template",
    "add_numbers_to_service_provider",
    "assign_numbers",
    "unassign_numbers",
    "set_group_clid",
    "enable_voice_portal",
    "add_group_admin",
    "delete_group_admin",
    "add_partition",
    "request_sync",
    "add_reporting_user",
    "restrict_reporting_user",
    "add_essential_customer",
}


class ReadableBroadWorks(FakeBroadWorks):
    def group_profile(self, sp, group_id):
        self._call("group_profile")
        group = self.groups[(sp, group_id)]
        return {"name": group["name"], "default_domain": group["domain"]}

    def add_admin_by_hand(self, group_id, user_id):
        """Drift: an administrator made on BroadWorks, not through the portal."""
        self.admins[user_id], self.admin_groups[user_id] = "typed-by-hand", group_id


class ReadableAkixi(FakeAkixi):
    def __init__(self, faults, calls):
        super().__init__(faults, calls)
        self.info = {}  # partition -> partition_info
        self.scope = {}  # username -> {"any_partition", "partition_ids"}

    def add_partition(self, *, description, billing_id, licensed_for, provider_id, group_id):
        partition = super().add_partition(
            description=description,
            billing_id=billing_id,
            licensed_for=licensed_for,
            provider_id=provider_id,
            group_id=group_id,
        )
        self.info[partition] = {
            "description": description,
            "billing_tag": billing_id,
            "licence": licensed_for,
            "provider_id": provider_id,
            "group_id": group_id,
            "server_type": "Service Provider Group",
            "sync_type": "By Service Pack",
            "maintain_parity": True,
        }
        return partition

    def add_reporting_user(self, *, username, full_name, email, partition):
        super().add_reporting_user(username=username, full_name=full_name, email=email, partition=partition)
        self.scope[username] = {"any_partition": False, "partition_ids": [partition]}

    def partition_info(self, partition):
        self._call("partition_info")
        return dict(self.info[partition]) if partition in self.info else None

    def reporting_user(self, username):
        self._call("reporting_user")
        if username not in self.users:
            return None
        return {"username": username, "full_name": "", "email": "", **self.scope[username]}

    def restrict_reporting_user(self, username, partition):
        super().restrict_reporting_user(username, partition)
        self.scope[username] = {"any_partition": False, "partition_ids": [partition]}


class ReadableCallCabinet(FakeCallCabinet):
    def __init__(self, faults, calls):
        super().__init__(faults, calls)
        self.records = {}  # group ID -> customer()

    def add_essential_customer(self, customer):
        reference = super().add_essential_customer(customer)
        self.records[customer.broadworks_group_id] = {
            "customer_id": reference,
            "customer_type": "Essential",
            "provider_id": customer.provider_id,
            "group_id": customer.broadworks_group_id,
            "admin_name": customer.admin_name,
            "admin_email": customer.admin_email,
            "status": "active",
        }
        return reference

    def customer(self, group_id):
        self.faults.check("customer")
        self.calls.append("customer")
        record = self.records.get(group_id)
        return dict(record) if record else None

    def change_customer_admin(self, customer_id, *, name, email):
        super().change_customer_admin(customer_id, name=name, email=email)
        record = next(r for r in self.records.values() if r["customer_id"] == customer_id)
        record.update(admin_name=name, admin_email=email)


def readable_platforms():
    faults, calls = Faults(), []
    platforms = Platforms(
        ReadableBroadWorks(faults, calls), ReadableAkixi(faults, calls), ReadableCallCabinet(faults, calls)
    )
    platforms.faults, platforms.calls = faults, calls
    return platforms
