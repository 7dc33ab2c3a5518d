from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from common.ratelimit import ratelimit
from portal import views
from portal.api_docs import RedocView
from portal.health import PortalHealthView
from recipients.views import language_switch

admin.site.site_header = "Cổng văn bản điều hành — Quản trị"
admin.site.site_title = "Quản trị"
admin.site.index_title = "Danh mục đơn vị, nhóm nhận và người dùng"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", PortalHealthView.as_view(), name="health"),
    path("health/web/", PortalHealthView.as_view(workers=False), name="health-web"),
    path(
        "login/",
        ratelimit("login", setting="RATELIMIT_LOGIN", methods=("POST",))(
            auth_views.LoginView.as_view(redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(success_url="/password/done/"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("api/v1/", include("directives.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("api/docs/redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # The menu's language switch: Django's set_language, and the signed-in person's own choice.
    path("i18n/setlang/", language_switch, name="set_language"),
    path("admin/", admin.site.urls),
    path("recipients/", include("recipients.urls")),
    path("", include("directives.urls")),
]
