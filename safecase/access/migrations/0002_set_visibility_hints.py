"""Set the organisations' visibility hints (accounts 0003) from the shares and restrictions
already recorded, so no existing share or restriction is skipped."""

from django.db import migrations


def set_hints(apps, schema_editor):  # type: ignore[no-untyped-def]
    Organisation = apps.get_model("accounts", "Organisation")
    ShareGrant = apps.get_model("access", "ShareGrant")
    RecordRestriction = apps.get_model("access", "RecordRestriction")
    Organisation.objects.filter(pk__in=ShareGrant.objects.values("to_organisation_id")).update(
        receives_shares=True
    )
    Organisation.objects.filter(pk__in=RecordRestriction.objects.values("organisation_id")).update(
        restricts_records=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        ("accounts", "0003_organisation_visibility_hints"),
    ]

    operations = [migrations.RunPython(set_hints, migrations.RunPython.noop)]
