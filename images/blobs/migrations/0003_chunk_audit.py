from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blobs", "0002_encryption")]

    operations = [
        migrations.AddField(
            model_name="chunk",
            name="verified_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.AddField(
            model_name="chunk",
            name="quarantined_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="chunk",
            name="quarantine_reason",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.RemoveConstraint(model_name="chunk", name="unique_chunk_per_region"),
        migrations.AddConstraint(
            model_name="chunk",
            constraint=models.UniqueConstraint(
                condition=models.Q(("quarantined_at__isnull", True)),
                fields=("region", "digest"),
                name="unique_chunk_per_region",
            ),
        ),
        migrations.AddIndex(
            model_name="chunk",
            index=models.Index(
                condition=models.Q(("quarantined_at__isnull", False)),
                fields=["quarantined_at"],
                name="chunk_quarantined",
            ),
        ),
    ]
