# Several projects per region per account (Keystone's tenancy), each account keeping its existing project of every
# region as that region's default one.
from django.db import migrations, models


def mark_existing_projects_default(apps, schema_editor):
    # Until now an account had exactly one project per region: it is the default one the console and SDK use.
    apps.get_model("iam", "Project").objects.update(is_default=True)


class Migration(migrations.Migration):
    dependencies = [("iam", "0004_model_names")]

    operations = [
        migrations.AlterModelOptions(
            name="project",
            options={
                "ordering": ["account__name", "region__position", "-is_default", "name"],
                "verbose_name": "project",
                "verbose_name_plural": "projects",
            },
        ),
        migrations.RemoveConstraint(model_name="project", name="one_project_per_region"),
        migrations.AddField(
            model_name="project",
            name="description",
            field=models.CharField(blank=True, max_length=255, verbose_name="description"),
        ),
        migrations.AddField(
            model_name="project",
            name="is_default",
            field=models.BooleanField(
                default=False,
                help_text="The project used in this region when a request names none.",
                verbose_name="default project of the region",
            ),
        ),
        migrations.RunPython(mark_existing_projects_default, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_default", True)),
                fields=("account", "region"),
                name="one_default_project_per_region",
            ),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.UniqueConstraint(fields=("account", "name"), name="unique_project_name"),
        ),
    ]
