from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("images", "0012_glance_import")]

    operations = [
        migrations.AddField(
            model_name="image",
            name="external_owner",
            field=models.CharField(blank=True, default="", max_length=255),
        ),
    ]
