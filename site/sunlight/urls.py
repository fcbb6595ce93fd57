from django.conf import settings
from django.urls import include, path, re_path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from disclosure.views_results import latest_results
from sunlight.api import api, unknown_endpoint
from sunlight.captcha import spoken_challenge
from sunlight.preferences import toggle_elderly

urlpatterns = [
    path("admin/2fa/", include("sunlight.twofactor.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("captcha/spoken/<str:key>.wav", spoken_challenge, name="captcha_spoken"),
    path("captcha/", include("captcha.urls")),
    path("report/", include("complaints.urls")),
    path("preferences/elderly/", toggle_elderly, name="toggle_elderly"),
    path("search/", include("search.urls")),
    path("ledgers/", include("ledgers.urls")),
    path("accountability/", include("supervision.urls")),
    path("results/", latest_results, name="latest_results"),
    path("api/v1/", api.urls),
    re_path(r"^api/(?:.*/)?$", unknown_endpoint),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
