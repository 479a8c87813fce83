"""Ship the default case types (organisation = NULL means 'every organisation')."""

from django.db import migrations

from safecase.cases.choices import DEFAULT_CASE_TYPES


def add_defaults(apps, schema_editor):
    CaseType = apps.get_model("cases", "CaseType")
    for position, (code, label, kind, workflow) in enumerate(DEFAULT_CASE_TYPES):
        CaseType.objects.get_or_create(
            organisation=None,
            code=code,
            defaults={"label": label, "kind": kind, "workflow": workflow, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
