"""Ship the default outcomes and sanctions (organisation = NULL means 'every organisation')."""

from django.db import migrations

from safecase.cases.decisions.choices import install_default_options


def add_defaults(apps, schema_editor):
    install_default_options(apps.get_model("case_decisions", "DecisionOption"))


class Migration(migrations.Migration):
    dependencies = [("case_decisions", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
