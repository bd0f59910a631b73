import factory
from factory.django import DjangoModelFactory

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_create
from partners.models import Partner, PartnerContact

TEST_PASSWORD = "correct-horse-battery-9"


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    partner_id = factory.Sequence(lambda n: f"PARTNER{n:03d}")
    name = factory.Sequence(lambda n: f"Partner {n} Ltd")
    clone_group_id = factory.LazyAttribute(lambda o: f"{o.partner_id}-CLONE")
    live = False


class PartnerContactFactory(DjangoModelFactory):
    class Meta:
        model = PartnerContact

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Faker("name", locale="en_GB")
    role = "Primary"
    email = factory.Sequence(lambda n: f"contact{n}@partner.invalid")
    phone = "+442079460000"


class UserFactory(DjangoModelFactory):
    """Users are made through the service, so each gets its role's group exactly as in production."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.COORDINATOR
    partner = None
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.invalid")
    password = TEST_PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return user_create(**kwargs)
