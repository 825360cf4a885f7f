"""Aftercare copy corrected, and a rebook step per product so the message names the product given.

- The aftercare sheet: aspirin and ibuprofen are skipped only "unless a doctor prescribed them;
  never stop a prescribed medicine without asking", and one window for rubbing or massaging the
  treated area, 24 hours (the top of the 2–24 h range in clinic aftercare sheets), the same as
  the consent and the area pages (which show the sheet).
- The 4-hour message says that window too, so "you can lie down again" is not read as "anything goes".
- Rebook: Botox, Xeomin, Jeuveau and Letybo get their own 3–4-month rebook (14 weeks, as the
  general one); Dysport's says about 4 months (it is timed at ~4 months); the lip flip's says it
  is wearing off. The day the patient may book from is added by the message itself, from the
  products' minimum re-treatment interval.

Only text still as shipped is replaced: a Manager's edit is kept (and shows in the admin as it was).
"""

from datetime import timedelta

from django.db import migrations

TREATMENT = "neuromodulator-treatment"

OLD_SHEET = (
    "For the next 4 hours stay upright and don't rub or massage the treated areas. For 24–48 "
    "hours skip strenuous exercise, alcohol, aspirin and ibuprofen. Wait 7 days before "
    "facials, peels or laser treatments."
)
NEW_SHEET = (
    "For the next 4 hours stay upright. Don't rub or massage the treated areas for 24 hours. For 24–48 "
    "hours skip strenuous exercise and alcohol, and skip aspirin and ibuprofen unless a doctor prescribed "
    "them; never stop a prescribed medicine without asking. Wait 7 days before a professional facial, a "
    "peel or a laser treatment."
)
OLD_UPRIGHT = "It has been 4 hours since your treatment: you can lie down and bend over again."
NEW_UPRIGHT = (
    "It has been 4 hours since your treatment: you can lie down and bend over again. Please still don't rub "
    "or massage the treated areas for the first 24 hours."
)

REBOOK_TITLE = "Time to plan your next treatment"
PRODUCT_REBOOKS = [
    ("botox-cosmetic", "Botox usually lasts 3–4 months. Book your next visit when movement returns."),
    ("xeomin", "Xeomin usually lasts about 3–4 months. Book your next visit when movement returns."),
    ("jeuveau", "Jeuveau usually lasts about 3–4 months. Book your next visit when movement returns."),
    ("letybo", "Letybo usually lasts 3–4 months. Book your next visit when movement returns."),
]
REBOOK_OFFSET = timedelta(days=98)
CHANGED_REBOOKS = [
    (
        {"product__slug": "dysport"},
        "Dysport often lasts up to 5 months. Book your next visit when movement returns.",
        "Dysport usually lasts about 4 months, sometimes up to 5. Book your next visit when movement returns.",
    ),
    (
        {"area__slug": "lip-flip"},
        "A lip flip softens sooner than other areas, usually at 8–12 weeks. Book your next "
        "visit when you notice it wearing off.",
        "Your lip flip is probably wearing off by now: the lip softens sooner than other areas, usually at "
        "8–12 weeks. Book your next visit when you'd like it refreshed.",
    ),
]


def _swap(queryset, old: str, new: str) -> None:
    queryset.filter(body=old).update(body=new)


def forwards(apps, schema_editor):
    Service = apps.get_model("treatments", "Service")
    Product = apps.get_model("treatments", "Product")
    AftercareStep = apps.get_model("treatments", "AftercareStep")
    service = Service.objects.filter(slug=TREATMENT).first()
    if service is None:
        return
    steps = AftercareStep.objects.filter(service=service)
    _swap(steps.filter(key="sheet"), OLD_SHEET, NEW_SHEET)
    _swap(steps.filter(key="upright"), OLD_UPRIGHT, NEW_UPRIGHT)
    for scope, old, new in CHANGED_REBOOKS:
        _swap(steps.filter(key="rebook", **scope), old, new)
    for slug, body in PRODUCT_REBOOKS:
        product = Product.objects.filter(slug=slug).first()
        if product is not None:
            AftercareStep.objects.get_or_create(
                service=service,
                key="rebook",
                product=product,
                defaults={"offset": REBOOK_OFFSET, "channel": "preferred", "title": REBOOK_TITLE, "body": body},
            )


def backwards(apps, schema_editor):
    AftercareStep = apps.get_model("treatments", "AftercareStep")
    steps = AftercareStep.objects.filter(service__slug=TREATMENT)
    _swap(steps.filter(key="sheet"), NEW_SHEET, OLD_SHEET)
    _swap(steps.filter(key="upright"), NEW_UPRIGHT, OLD_UPRIGHT)
    for scope, old, new in CHANGED_REBOOKS:
        _swap(steps.filter(key="rebook", **scope), new, old)
    for slug, body in PRODUCT_REBOOKS:
        steps.filter(key="rebook", product__slug=slug, body=body).delete()


class Migration(migrations.Migration):
    dependencies = [("treatments", "0005_unit_scale_and_albumin")]

    operations = [migrations.RunPython(forwards, backwards)]
