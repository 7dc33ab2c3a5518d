"""`/api/v1/`: one router for both apps' endpoints."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import DefaultRouter

from directives.api import distribution, files, incoming, views
from recipients.api import schema  # noqa: F401 - the token's security scheme
from recipients.api.views import GroupViewSet, MeView, UnitViewSet


class ApiRouter(DefaultRouter):
    include_format_suffixes = False  # JSON only: no `.json` twins of every URL


router = ApiRouter(use_regex_path=False)
router.register("units", UnitViewSet, basename="unit")
router.register("groups", GroupViewSet, basename="group")
router.register("directives", views.DirectiveViewSet, basename="directive")
router.register("inbox", views.InboxViewSet, basename="inbox")
router.register("incoming", incoming.IncomingViewSet, basename="incoming")
router.register("unit-tasks", distribution.UnitTaskViewSet, basename="unit-task")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("extensions", views.ExtensionViewSet, basename="extension")
router.register("attachments", files.AttachmentViewSet, basename="attachment")
router.register("report-files", files.ReportFileViewSet, basename="report-file")
router.register("register", files.RegisterViewSet, basename="register")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [path("me/", MeView.as_view(), name="me"), *router.urls]
