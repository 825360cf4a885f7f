"""Two corrections to the shipped catalog.

- Dysport's units: clinicians give 2.5–3 Dysport units for one Botox unit (the low end, so a
  usual-range warning comes no later than it should). A Manager can change it in the admin.
- Human albumin: every US label but Daxxify's lists it (Botox 0.5 mg per 100 U vial, Dysport
  125 mcg, Xeomin 1 mg, Jeuveau 0.5 mg, Letybo); the catalog flagged only Letybo, so an albumin
  allergy would have ruled out too little. This is a safety fact, so it is set whatever was edited.
"""

from decimal import Decimal

from django.db import migrations

WITH_ALBUMIN = ("botox-cosmetic", "dysport", "xeomin", "jeuveau", "letybo")


def forwards(apps, schema_editor):
    Product = apps.get_model("treatments", "Product")
    Product.objects.filter(slug="dysport").update(units_per_botox_unit=Decimal("2.5"))
    Product.objects.filter(slug__in=WITH_ALBUMIN).update(contains_human_albumin=True)
    Product.objects.filter(slug="daxxify").update(contains_human_albumin=False)


def backwards(apps, schema_editor):
    Product = apps.get_model("treatments", "Product")
    Product.objects.filter(slug="dysport").update(units_per_botox_unit=Decimal("1"))


class Migration(migrations.Migration):
    dependencies = [("treatments", "0004_product_units_per_botox_unit")]

    operations = [migrations.RunPython(forwards, backwards)]
