from django.db import models

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="site")
class GovernmentSiteSettings(BaseSiteSetting):
    """What a Chinese government website must show in its footer (《政府网站发展指引》)."""

    sponsor = models.CharField("主办单位", max_length=100, blank=True)
    organiser = models.CharField("承办单位", max_length=100, blank=True)
    site_code = models.CharField("网站标识码", max_length=20, blank=True)
    icp_record = models.CharField("ICP备案号", max_length=50, blank=True)
    police_record = models.CharField("公安机关备案号", max_length=50, blank=True)
    contact = models.CharField("联系方式", max_length=200, blank=True)

    panels = [
        FieldPanel("sponsor"),
        FieldPanel("organiser"),
        FieldPanel("site_code"),
        FieldPanel("icp_record"),
        FieldPanel("police_record"),
        FieldPanel("contact"),
    ]

    class Meta:
        verbose_name = "网站信息"

    @property
    def police_record_number(self):
        """The digits of 公安机关备案号, used in the beian.mps.gov.cn link."""
        return "".join(ch for ch in self.police_record if ch.isdigit())
