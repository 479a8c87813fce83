"""Ship the default referral agencies (organisation = NULL means 'every organisation')."""

from django.db import migrations

from safecase.cases.referrals.choices import install_default_agencies


def add_defaults(apps, schema_editor):
    install_default_agencies(apps.get_model("case_referrals", "ReferralAgency"))


class Migration(migrations.Migration):
    dependencies = [("case_referrals", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
