"""A new version of the treatment consent: the same rubbing / massage window as the aftercare sheet
and the area pages (24 hours), where version 1 said "avoid rubbing the area and strenuous exercise
for 24 to 48 hours" beside a sheet that said 4 hours.

A signed version's text never changes: this adds version N+1 with the corrected line, made from the
latest version, if that one still has the line as shipped (a Manager's own version is left alone).
Patients sign the new version at their next treatment, as with any new version.
"""

from django.db import migrations

TREATMENT = "neuromodulator-treatment"
OLD_LINE = (
    "- I will follow the aftercare advice: stay upright for 4 hours, avoid rubbing the area and strenuous "
    "exercise for 24 to 48 hours."
)
NEW_LINE = (
    "- I will follow the aftercare advice: stay upright for 4 hours, don't rub or massage the treated area "
    "for 24 hours, and avoid strenuous exercise for 24 to 48 hours."
)


def forwards(apps, schema_editor):
    ConsentText = apps.get_model("intake", "ConsentText")
    latest = ConsentText.objects.filter(service__slug=TREATMENT).order_by("-version").first()
    if latest is None or OLD_LINE not in latest.body:
        return
    ConsentText.objects.create(
        service=latest.service,
        version=latest.version + 1,
        title=latest.title,
        body=latest.body.replace(OLD_LINE, NEW_LINE),
    )


def backwards(apps, schema_editor):
    ConsentText = apps.get_model("intake", "ConsentText")
    latest = ConsentText.objects.filter(service__slug=TREATMENT).order_by("-version").first()
    # Only an unsigned copy made here goes; once signed it stays (a signature points at it).
    if (
        latest is not None
        and NEW_LINE in latest.body
        and not apps.get_model("intake", "Consent").objects.filter(text=latest).exists()
    ):
        latest.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0003_unverified_histories_and_consents"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
