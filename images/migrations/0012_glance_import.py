# Glance's interoperable image import: the uploading (staged) and importing image states.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("images", "0011_encryption")]

    operations = [
        migrations.AlterField(
            model_name="image",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("saving", "Creating"),
                    ("uploading", "Staged"),
                    ("importing", "Importing"),
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
    ]
