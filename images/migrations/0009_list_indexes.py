# The indexes the list filters need (the others already exist: region with type and status, owner, created_at;
# tags by key and value).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("images", "0008_job_worker")]

    operations = [
        migrations.AddIndex(
            model_name="image",
            index=models.Index(fields=["region", "name"], name="images_image_region_name_idx"),
        ),
    ]
