"""factory_boy factories for the portal's models. Each test builds the data it needs."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import Group

from directives.models import Addressee, CopyRecipient, Directive, DocumentType, Task
from recipients import roles
from recipients.models import RecipientGroup, Unit, User


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Đơn vị số {n}")
    short_name = factory.LazyAttribute(lambda o: o.name)
    code = factory.Sequence(lambda n: f"DV{n:04d}")
    kind = Unit.Kind.DEPARTMENT
    contact_emails = factory.LazyAttribute(lambda o: f"{o.code.lower()}@gialai.gov.vn")
    is_active = True


class RecipientGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecipientGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Nhóm nhận {n}")
    code = factory.Sequence(lambda n: f"nhom-{n}")
    kinds = factory.LazyFunction(list)

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Văn An"
    last_name = "Nguyễn"
    email = factory.LazyAttribute(lambda o: f"{o.username}@gialai.gov.vn")
    unit = factory.SubFactory(UnitFactory)
    password = factory.django.Password("Mat-khau-2026")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=[roles.CLERK]) puts the user in those role groups."""
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
            if roles.ADMINISTRATOR in extracted:
                self.is_staff = True
                self.save(update_fields=["is_staff"])


class DirectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directive

    issuing_unit = factory.SubFactory(
        UnitFactory, code="STTTT", name="Sở Thông tin và Truyền thông"
    )
    parent_body = "UBND TỈNH GIA LAI"
    drafting_unit = factory.SubFactory(
        UnitFactory,
        code="TTBCXB",
        name="Phòng Thông tin - Báo chí - Xuất bản",
        kind=Unit.Kind.DIVISION,
    )
    doc_type = DocumentType.CONG_VAN
    subject = "thông tin, tuyên truyền Bộ Quy tắc ứng xử trên mạng xã hội"
    body = "Sở Thông tin và Truyền thông đề nghị các đơn vị triển khai thực hiện./."
    drafter = factory.SubFactory(
        UserFactory, unit=factory.SelfAttribute("..drafting_unit"), roles=[roles.DRAFTER]
    )
    signer = factory.SubFactory(
        UserFactory,
        unit=factory.SelfAttribute("..issuing_unit"),
        roles=[roles.SIGNER],
        last_name="Lê Thị",
        first_name="Thu Hương",
    )
    signing_authority = "KT"
    head_title = "GIÁM ĐỐC"
    signer_title = "PHÓ GIÁM ĐỐC"
    signer_name = "Lê Thị Thu Hương"


class AddresseeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Addressee

    directive = factory.SubFactory(DirectiveFactory)
    position = factory.Sequence(int)
    unit = factory.SubFactory(UnitFactory)


class CopyRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CopyRecipient

    directive = factory.SubFactory(DirectiveFactory)
    position = factory.Sequence(int)
    label = "Bộ TT&TT (báo cáo)"


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task
        skip_postgeneration_save = True

    directive = factory.SubFactory(DirectiveFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = "Phổ biến, quán triệt đến toàn thể công chức, viên chức"
    deadline = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=14))
    report_required = True
