# Sealed chunks of encrypted images, kept apart from the plaintext ones.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blobs", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="chunk",
            name="sealed",
            field=models.BooleanField(default=False),
        ),
    ]
