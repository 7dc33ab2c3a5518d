from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from recipients import roles


def _first_url(*names: str) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


@login_required
def home(request):
    """Send each role to its work; someone with several roles gets a choice of desks."""
    user = request.user
    held = set(user.groups.values_list("name", flat=True))
    desks = []
    if roles.UNIT_OFFICER in held:
        desks.append(("inbox", _first_url("directives:inbox")))
    if roles.DRAFTER in held or roles.SIGNER in held or roles.CLERK in held:
        desks.append(("directives", _first_url("directives:list")))
    if roles.CLERK in held:
        desks.append(("register", _first_url("directives:register")))
        desks.append(("dashboard", _first_url("directives:dashboard")))
    if roles.ADMINISTRATOR in held or user.is_superuser:
        desks.append(("admin", reverse("admin:index")))
    desks = [(name, url) for name, url in desks if url]
    if len(desks) == 1 and "next" not in request.GET:
        return redirect(desks[0][1])
    return render(request, "portal/home.html", {"desks": desks, "roles_held": sorted(held)})
