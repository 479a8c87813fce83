"""Ship the UK default concern categories (organisation = NULL means 'every organisation')."""

from django.db import migrations

from safecase.concerns.choices import DEFAULT_CATEGORIES


def add_defaults(apps, schema_editor):
    Category = apps.get_model("concerns", "Category")
    for position, (code, label) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(
            organisation=None, code=code, defaults={"label": label, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("concerns", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
