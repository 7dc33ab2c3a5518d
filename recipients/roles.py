"""The five roles of the portal, as Django groups, and the permissions each one carries."""

DRAFTER = "Drafter"
SIGNER = "Signer"
CLERK = "Clerk"
UNIT_OFFICER = "Unit officer"
ADMINISTRATOR = "Administrator"
ALL_ROLES = (DRAFTER, SIGNER, CLERK, UNIT_OFFICER, ADMINISTRATOR)
# The roles that must log in with a second factor where the unit's setting (or OTP_REQUIRED)
# says so: those who sign, issue, or keep the accounts.
TWO_FACTOR_ROLES = (SIGNER, CLERK, ADMINISTRATOR)

# app_label.codename for each role; applied by the roles data migration.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    DRAFTER: [
        "recipients.view_directory",
        "directives.add_directive",
        "directives.change_directive",
        "directives.view_directive",
        "directives.submit_directive",
    ],
    SIGNER: [
        "recipients.view_directory",
        "directives.view_directive",
        "directives.approve_directive",
    ],
    CLERK: [
        "recipients.view_directory",
        "directives.view_directive",
        "directives.issue_directive",
        "directives.recall_directive",
        "directives.track_directive",
        "directives.enter_paper_directive",
        "directives.keep_incoming_book",
    ],
    UNIT_OFFICER: [
        "directives.receive_directive",
    ],
    ADMINISTRATOR: [
        "recipients.view_directory",
        "recipients.add_unit",
        "recipients.change_unit",
        "recipients.delete_unit",
        "recipients.view_unit",
        "recipients.add_recipientgroup",
        "recipients.change_recipientgroup",
        "recipients.delete_recipientgroup",
        "recipients.view_recipientgroup",
        "recipients.add_user",
        "recipients.change_user",
        "recipients.view_user",
        "auth.view_group",
        "auditlog.view_logentry",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        "django_celery_beat.view_crontabschedule",
        "django_celery_beat.change_crontabschedule",
        "django_celery_beat.add_crontabschedule",
    ],
}


def roles_sync(*, group_model=None, permission_model=None) -> None:
    """Make the five groups exist with exactly the permissions listed above (those that exist).

    Run by the roles migration and again after every migrate (post_migrate), so that a new
    permission in ROLE_PERMISSIONS reaches its role, and a flushed database gets its roles back.
    """
    if group_model is None or permission_model is None:
        from django.contrib.auth.models import Group, Permission

        group_model, permission_model = Group, Permission
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted.extend(
                permission_model.objects.filter(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(wanted)
