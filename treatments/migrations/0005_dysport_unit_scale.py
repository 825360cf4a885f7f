"""Dysport's units: clinicians give 2.5–3 Dysport units for one Botox unit (the low end, so a
usual-range warning comes no later than it should). A Manager can change it in the admin."""

from decimal import Decimal

from django.db import migrations


def forwards(apps, schema_editor):
    Product = apps.get_model("treatments", "Product")
    Product.objects.filter(slug="dysport").update(units_per_botox_unit=Decimal("2.5"))


def backwards(apps, schema_editor):
    Product = apps.get_model("treatments", "Product")
    Product.objects.filter(slug="dysport").update(units_per_botox_unit=Decimal("1"))


class Migration(migrations.Migration):
    dependencies = [("treatments", "0004_product_units_per_botox_unit")]

    operations = [migrations.RunPython(forwards, backwards)]
