"""Views of the drafting desk: the agency's directive list, the drafting page with its live
preview, and the directive page with the workflow's buttons.

Directives are read through `directives_visible_to`, narrowed to the user's own desk (their unit
and the agency above it); anything else is a 404. What may happen is decided by the services:
a refused move comes back as a DirectiveError whose message the user sees, and nothing changes.
"""

from directives.views.drafting.pages import urlpatterns as page_patterns
from directives.views.drafting.workflow import urlpatterns as workflow_patterns

urlpatterns: list = [*page_patterns, *workflow_patterns]
