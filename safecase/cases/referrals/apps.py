from django.apps import AppConfig


class CaseReferralsConfig(AppConfig):
    name = "safecase.cases.referrals"
    label = "case_referrals"
    verbose_name = "External referrals"
