# Glance's image semantics: os_hidden, extra properties, the deactivated status and the community visibility.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("images", "0009_list_indexes")]

    operations = [
        migrations.AddField(
            model_name="image",
            name="extra_properties",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="image",
            name="os_hidden",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name="image",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("saving", "Creating"),
                    ("active", "Normal"),
                    ("killed", "Error"),
                    ("deleted", "Deleted"),
                    ("deactivated", "Deactivated"),
                ],
                default="queued",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="image",
            name="visibility",
            field=models.CharField(
                choices=[("private", "Private"), ("public", "Public"), ("shared", "Shared"), ("community", "Community")],
                default="private",
                max_length=16,
            ),
        ),
    ]
