from django.db import migrations, models

import reminders.models


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0001_outbox"),
    ]

    # In two steps: a callable default given to AddField is computed once and would give every
    # existing row the same key. Existing rows keep none (their old links are honoured until they expire).
    operations = [
        migrations.AddField(
            model_name="message",
            name="link_key",
            field=models.CharField(editable=False, max_length=32, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="message",
            name="link_key",
            field=models.CharField(
                default=reminders.models.new_link_key, editable=False, max_length=32, null=True, unique=True
            ),
        ),
    ]
