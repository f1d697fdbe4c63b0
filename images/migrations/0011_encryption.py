# Encrypted images: the image's wrapped data key (the key id was already a field, cmk_id).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("images", "0010_glance_semantics")]

    operations = [
        migrations.AddField(
            model_name="image",
            name="wrapped_data_key",
            field=models.TextField(blank=True),
        ),
    ]
