"""The clinic's starting catalog, so production gets it too. Managers edit it in the admin.

Figures come from the clinical reference the team keeps (label figures where there is a label,
clinical practice otherwise). This migration only creates rows that are missing: it never
overwrites what a manager has edited.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import migrations

UPPER, MID, JAW = "upper", "mid-lower", "jaw-neck"

AREAS = [
    {
        "slug": "glabella",
        "name": "Frown lines",
        "region": UPPER,
        "muscles": "corrugator, procerus",
        "concern": 'Vertical lines between the brows (the "11s")',
        "summary": (
            "The muscles between your brows pull them down and together when you concentrate, "
            "which can make you look cross or tired when you are not. Softening them lets the "
            "lines relax and often lifts the inner brow a little, because the forehead muscle "
            "no longer has to fight them."
        ),
        "per_side": False,
        "typical_units_min": 20,
        "typical_units_max": 20,
        "dose_note": "FDA label: 20 U total, 4 U at each of 5 points.",
        "injection_points": "5",
        "cautions": "Stay at least 1 cm above the central brow: eyelid ptosis risk.",
        "patient_cautions": (
            "Rarely, an upper eyelid can droop a little for a few weeks. Careful placement keeps "
            "this uncommon; tell us if you notice it."
        ),
        "off_label": False,
    },
    {
        "slug": "forehead",
        "name": "Forehead lines",
        "region": UPPER,
        "muscles": "frontalis",
        "concern": "Horizontal lines across the forehead",
        "summary": (
            "The forehead muscle is the only one that lifts your brows, so we treat it lightly: "
            "enough to soften the lines, not so much that your brows feel heavy. It is usually "
            "treated together with the frown lines so the muscles stay in balance."
        ),
        "per_side": False,
        "typical_units_min": 8,
        "typical_units_max": 20,
        "dose_note": "FDA label: 20 U, only with glabella (40 U total). Off-label practice 8–20 U.",
        "injection_points": "4–6",
        "cautions": "Brow heaviness if treated alone; keep at least 2 cm above the brow.",
        "patient_cautions": (
            "Too much in the forehead can make the brows feel heavy, so we start light and add "
            "at your two-week review if you want more."
        ),
        "off_label": False,
    },
    {
        "slug": "crows-feet",
        "name": "Crow's feet",
        "region": UPPER,
        "muscles": "lateral orbicularis oculi",
        "concern": "Lines fanning out from the outer corners of the eyes",
        "summary": (
            "The ring muscle around the eye creases the skin at the corners when you smile or "
            "squint. A small dose on each side softens the fan of lines while keeping a natural "
            "smile, and each side can be dosed differently if one creases more."
        ),
        "per_side": True,
        "typical_units_min": 5,
        "typical_units_max": 12,
        "dose_note": "FDA label: 24 U (12 U per side). Off-label practice 5–10 U per side.",
        "injection_points": "3 per side",
        "cautions": "",
        "patient_cautions": "Small bruises are the most common side effect here; they fade within days.",
        "off_label": False,
    },
    {
        "slug": "brow-lift",
        "name": "Brow lift and brow balance",
        "region": UPPER,
        "muscles": "lateral orbicularis oculi (brow tail)",
        "concern": "A low brow, or one brow sitting lower than the other",
        "summary": (
            "The muscle at the tail of each brow pulls it down. Relaxing it a little lets the "
            "forehead muscle lift the tail of the brow by a few millimetres. When one brow sits "
            "lower, we treat the sides differently to bring them level."
        ),
        "per_side": True,
        "typical_units_min": 2,
        "typical_units_max": 5,
        "dose_note": "Off-label. 2–5 U per brow tail; asymmetric dosing per side is normal.",
        "injection_points": "1 per side",
        "cautions": "Off-label; asymmetric dosing per side is the point.",
        "patient_cautions": "The lift is subtle: a few millimetres, not a surgical result.",
        "off_label": True,
    },
    {
        "slug": "bunny-lines",
        "name": "Bunny lines",
        "region": MID,
        "muscles": "nasalis",
        "concern": "Lines on the sides of the nose when you smile or scrunch",
        "summary": (
            "Some people crinkle the sides of the nose when they smile, often more after the "
            "frown lines have been treated. A tiny dose on each side smooths these lines."
        ),
        "per_side": True,
        "typical_units_min": 2,
        "typical_units_max": 4,
        "dose_note": "Off-label practice 2–4 U per side.",
        "injection_points": "1–2 per side",
        "cautions": "Upper-lip droop if injected low.",
        "patient_cautions": "Placed too low it can weaken the upper lip for a few weeks, so we inject high on the nose.",
        "off_label": True,
    },
    {
        "slug": "gummy-smile",
        "name": "Gummy smile",
        "region": MID,
        "muscles": "levator labii superioris alaeque nasi, zygomaticus minor",
        "concern": "A lot of gum showing when you smile",
        "summary": (
            "The muscles beside the nose lift the upper lip when you smile. Relaxing them a "
            "little lets the lip come down over more of the gum, for a softer smile."
        ),
        "per_side": True,
        "typical_units_min": 2,
        "typical_units_max": 5,
        "dose_note": "Off-label practice 2–5 U per side.",
        "injection_points": "1 per side",
        "cautions": "Upper-lip droop; lasts about 3–4 months.",
        "patient_cautions": "The upper lip can feel a little heavy or the smile slightly different at first.",
        "effect_lasts": "3–4 months",
        "off_label": True,
    },
    {
        "slug": "lip-flip",
        "name": "Lip flip",
        "region": MID,
        "muscles": "orbicularis oris (upper lip)",
        "concern": "A thin upper lip that rolls inward when you smile",
        "summary": (
            "A few units along the upper lip relax the ring muscle so the lip rolls gently "
            "outward, showing a little more of it. No filler is involved and the shape of the "
            "lip does not change."
        ),
        "per_side": False,
        "typical_units_min": 4,
        "typical_units_max": 6,
        "dose_note": "Off-label practice 4–6 U total.",
        "injection_points": "2–4",
        "cautions": "Straw use and 'p' sounds can be affected; lasts about 8–12 weeks.",
        "patient_cautions": (
            'For a week or two, drinking through a straw, whistling or saying "p" sounds may feel a little different.'
        ),
        "effect_lasts": "8–12 weeks",
        "expectations": "The lip is a small, busy muscle, so the effect wears off sooner than elsewhere.",
        "off_label": True,
    },
    {
        "slug": "dao",
        "name": "Downturned mouth corners",
        "region": MID,
        "muscles": "depressor anguli oris",
        "concern": "Mouth corners that turn down, and the lines below them",
        "summary": (
            "A small muscle below each corner of the mouth pulls it downward, which can look sad "
            "at rest. Relaxing it lets the muscles that lift the corners win, so the mouth rests "
            "level. Each side is dosed separately."
        ),
        "per_side": True,
        "typical_units_min": 2,
        "typical_units_max": 6,
        "dose_note": "Off-label practice 2–6 U per side, at least 1 cm lateral to the mouth corner.",
        "injection_points": "1 per side, ≥1 cm lateral to the mouth corner",
        "cautions": "Spread to depressor labii inferioris gives an uneven smile.",
        "patient_cautions": "If the product spreads, the smile can look uneven for a few weeks; we place it carefully to avoid that.",
        "off_label": True,
    },
    {
        "slug": "mentalis",
        "name": "Chin dimpling",
        "region": MID,
        "muscles": "mentalis",
        "concern": 'A dimpled, "orange-peel" chin',
        "summary": (
            "An overactive chin muscle puckers the skin into dimples and can push the lower lip "
            "up. Softening it smooths the chin and relaxes the lower lip."
        ),
        "per_side": False,
        "typical_units_min": 4,
        "typical_units_max": 10,
        "dose_note": "Off-label practice 4–10 U total.",
        "injection_points": "1–2",
        "cautions": "Lower-lip droop if injected high.",
        "patient_cautions": "Placed too high it can weaken the lower lip for a while, so we inject low on the chin.",
        "off_label": True,
    },
    {
        "slug": "masseter",
        "name": "Jawline and masseters",
        "region": JAW,
        "muscles": "masseter",
        "concern": "Clenching or grinding, jaw tension, or a square jaw",
        "summary": (
            "The masseters are the chewing muscles at the angle of the jaw. When they are "
            "overworked by clenching they grow bulky and sore. Relaxing them eases the tension "
            "and, over a few weeks, slims the lower face. Each side is dosed on its own."
        ),
        "per_side": True,
        "typical_units_min": 20,
        "typical_units_max": 45,
        "dose_note": "Off-label. 20–45 U per side; start around 25 U per side.",
        "injection_points": "2–3 per side",
        "cautions": "Off-label; smile change via risorius; slimming visible at ~1 month.",
        "patient_cautions": (
            "Chewing tough food may feel tiring for a week or two. Rarely the smile changes "
            "slightly if the product reaches a nearby muscle."
        ),
        "expectations": "Tension eases within a couple of weeks; visible slimming takes about a month.",
        "off_label": True,
    },
    {
        "slug": "platysma",
        "name": "Neck bands and jawline (Nefertiti lift)",
        "region": JAW,
        "muscles": "platysma",
        "concern": "Vertical bands on the neck, or a jawline pulled down",
        "summary": (
            "The thin sheet of muscle in the neck pulls the jawline down and shows as cords "
            "when it tenses. Relaxing it along the bands and the jawline softens the cords and "
            "sharpens the jaw."
        ),
        "per_side": True,
        "typical_units_min": 13,
        "typical_units_max": 30,
        "dose_note": (
            "FDA label (10/2024): 26, 31 or 36 U in total by the number of bands per side. "
            "Off-label practice 30–60 U in total."
        ),
        "injection_points": "Along the bands and the jawline",
        "cautions": "Dysphagia, voice change or neck weakness: urgent.",
        "patient_cautions": (
            "Trouble swallowing, a change in your voice or a weak neck after treatment needs "
            "medical care at once: seek care and call us."
        ),
        "off_label": False,
    },
    {
        "slug": "nasal-tip",
        "name": "Nasal tip",
        "region": MID,
        "muscles": "depressor septi nasi",
        "concern": "A nose tip that dips when you smile",
        "summary": (
            "A small muscle under the nose pulls the tip down when you smile. A tiny dose lets "
            "the tip stay where it is."
        ),
        "per_side": False,
        "typical_units_min": 2,
        "typical_units_max": 3,
        "dose_note": "Off-label practice 2–3 U.",
        "injection_points": "1",
        "cautions": "",
        "patient_cautions": "",
        "off_label": True,
    },
]

PRODUCTS = [
    {
        "slug": "botox-cosmetic",
        "brand": "Botox Cosmetic",
        "generic_name": "onabotulinumtoxinA",
        "onset": "About 2 days; peak at 1–4 weeks",
        "duration": "3–4 months",
        "max_units_per_period": 400,
        "units_note": "100 U vial + 2.5 mL saline = 4 U per 0.1 mL. Use within 24 h, store at 2–8 °C.",
    },
    {
        "slug": "dysport",
        "brand": "Dysport",
        "generic_name": "abobotulinumtoxinA",
        "onset": "About 1 day",
        "duration": "Up to 5 months",
        "contains_milk_protein": True,
        "units_note": (
            "Units are not Botox units: clinicians use 2.5–3 Dysport U per Botox U. Glabella "
            "label 50 U, adults under 65. Contains cow's milk protein."
        ),
    },
    {
        "slug": "xeomin",
        "brand": "Xeomin",
        "generic_name": "incobotulinumtoxinA",
        "duration": "About 3 months",
        "units_note": "About 1:1 with Botox in practice; no conversion on the label.",
    },
    {
        "slug": "jeuveau",
        "brand": "Jeuveau",
        "generic_name": "prabotulinumtoxinA-xvfs",
        "units_note": "Glabella label 20 U.",
    },
    {
        "slug": "daxxify",
        "brand": "Daxxify",
        "generic_name": "daxibotulinumtoxinA-lanm",
        "onset": "About 2 days",
        "duration": "Median about 6 months, up to 9",
        "units_note": "Glabella label 40 U. No albumin.",
    },
    {
        "slug": "letybo",
        "brand": "Letybo",
        "generic_name": "letibotulinumtoxinA-wlbg",
        "duration": "3–4 months",
        "contains_human_albumin": True,
        "units_note": "Glabella label 20 U. Contains human albumin.",
    },
]

CONSULTATION, TREATMENT, REVIEW = (
    "facial-balancing-consultation",
    "neuromodulator-treatment",
    "two-week-review",
)

SERVICES = [
    {
        "slug": CONSULTATION,
        "name": "Facial balancing consultation",
        "kind": "consultation",
        "summary": (
            "Meet your injector, talk through what bothers you, and have your face assessed at "
            "rest and in motion. You leave with a plan; treatment can follow the same day or later."
        ),
        "duration_minutes": 45,
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 10,
        "price": Decimal("0.00"),
        "price_note": "Complimentary",
        "bookable_online": True,
        "new_patients_online": True,
        "is_toxin_treatment": False,
    },
    {
        "slug": TREATMENT,
        "name": "Neuromodulator treatment",
        "kind": "treatment",
        "summary": (
            "Treatment of one or more areas with a neuromodulator such as Botox, Dysport, Xeomin "
            "or Daxxify, after your medical history and consent are complete. For returning "
            "patients; new patients start with a consultation."
        ),
        "duration_minutes": 30,
        "buffer_before_minutes": 5,
        "buffer_after_minutes": 10,
        "price": Decimal("0.00"),
        "price_note": "Priced by the units used; your injector quotes at the visit",
        "bookable_online": True,
        "new_patients_online": False,
        "is_toxin_treatment": True,
    },
    {
        "slug": REVIEW,
        "name": "Two-week review",
        "kind": "review",
        "summary": (
            "A short check two weeks after treatment, when the result is complete: we look at "
            "the balance together and add a small touch-up if it is needed."
        ),
        "duration_minutes": 15,
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 5,
        "price": Decimal("0.00"),
        "price_note": "Included with your treatment",
        "bookable_online": True,
        "new_patients_online": False,
        "is_toxin_treatment": False,
    },
]

H, D = timedelta(hours=1), timedelta(days=1)

# (key, offset, channel, title, body) for the treatment service, from the end of the visit.
TREATMENT_AFTERCARE = [
    (
        "sheet",
        timedelta(0),
        "email",
        "Your aftercare",
        "For the next 4 hours stay upright and don't rub or massage the treated areas. For 24–48 "
        "hours skip strenuous exercise, alcohol, aspirin and ibuprofen. Wait 7 days before "
        "facials, peels or laser treatments.",
    ),
    (
        "upright",
        4 * H,
        "preferred",
        "You can lie down again",
        "It has been 4 hours since your treatment: you can lie down and bend over again.",
    ),
    (
        "day-1",
        24 * H,
        "preferred",
        "One day on",
        "Light activity is fine now, and so is a glass of wine. Keep strenuous exercise and the sauna for tomorrow.",
    ),
    (
        "day-2",
        48 * H,
        "preferred",
        "Back to your workouts",
        "Two days on: exercise, the sauna and hot yoga are fine again.",
    ),
    (
        "results",
        3 * D,
        "preferred",
        "Your results are starting",
        "The effect begins in the first few days and shows by days 3–7. If something doesn't "
        "feel right, tell us. If you have trouble swallowing, speaking or breathing, weakness "
        "in your neck or body, or double or blurred vision, seek medical care now and call us.",
    ),
    (
        "two-week",
        14 * D,
        "preferred",
        "Two weeks: how does it look?",
        "Your result is complete now. Tell us how it looks in our short follow-up, and book "
        "your two-week review if you'd like us to check the balance.",
    ),
    (
        "rebook",
        98 * D,
        "preferred",
        "Time to plan your next treatment",
        "Most treatments soften over 3–4 months. Book your next visit when movement returns.",
    ),
    (
        "six-month",
        182 * D,
        "preferred",
        "Six months on",
        "It has been about six months since your treatment. We'd love to hear how you are and plan what comes next.",
    ),
]

# Overrides of the treatment's rebook step: (product slug or None, area slug or None, offset, body)
REBOOK_OVERRIDES = [
    (
        "dysport",
        None,
        120 * D,
        "Dysport often lasts up to 5 months. Book your next visit when movement returns.",
    ),
    (
        "daxxify",
        None,
        182 * D,
        "Daxxify usually lasts about six months. Book your next visit when movement returns.",
    ),
    (
        None,
        "lip-flip",
        56 * D,
        "A lip flip softens sooner than other areas, usually at 8–12 weeks. Book your next "
        "visit when you notice it wearing off.",
    ),
]

CONSULTATION_AFTERCARE = [
    (
        "plan",
        1 * D,
        "email",
        "Your treatment plan",
        "Thank you for coming in. Your injector's plan is ready when you are: book your "
        "treatment online, or call us with any questions.",
    ),
]


def create_catalog(apps, schema_editor):
    TreatmentArea = apps.get_model("treatments", "TreatmentArea")
    Product = apps.get_model("treatments", "Product")
    Service = apps.get_model("treatments", "Service")
    AftercareStep = apps.get_model("treatments", "AftercareStep")

    for order, area in enumerate(AREAS):
        TreatmentArea.objects.get_or_create(slug=area["slug"], defaults={**area, "sort_order": order})
    for order, product in enumerate(PRODUCTS):
        Product.objects.get_or_create(slug=product["slug"], defaults={**product, "sort_order": order})
    services = {}
    for order, service in enumerate(SERVICES):
        services[service["slug"]], _ = Service.objects.get_or_create(
            slug=service["slug"], defaults={**service, "sort_order": order}
        )

    def step(service, key, offset, channel, title, body, **scope):
        AftercareStep.objects.get_or_create(
            service=service,
            key=key,
            product=scope.get("product"),
            area=scope.get("area"),
            defaults={"offset": offset, "channel": channel, "title": title, "body": body},
        )

    for key, offset, channel, title, body in TREATMENT_AFTERCARE:
        step(services[TREATMENT], key, offset, channel, title, body)
    rebook_title = {key: title for key, _, _, title, _ in TREATMENT_AFTERCARE}["rebook"]
    for product_slug, area_slug, offset, body in REBOOK_OVERRIDES:
        scope = (
            {"product": Product.objects.get(slug=product_slug)}
            if product_slug
            else {"area": TreatmentArea.objects.get(slug=area_slug)}
        )
        step(services[TREATMENT], "rebook", offset, "preferred", rebook_title, body, **scope)
    for key, offset, channel, title, body in CONSULTATION_AFTERCARE:
        step(services[CONSULTATION], key, offset, channel, title, body)


def remove_catalog(apps, schema_editor):
    apps.get_model("treatments", "AftercareStep").objects.all().delete()
    apps.get_model("treatments", "Service").objects.filter(slug__in=[s["slug"] for s in SERVICES]).delete()
    apps.get_model("treatments", "Product").objects.filter(slug__in=[p["slug"] for p in PRODUCTS]).delete()
    apps.get_model("treatments", "TreatmentArea").objects.filter(slug__in=[a["slug"] for a in AREAS]).delete()


class Migration(migrations.Migration):
    dependencies = [("treatments", "0001_catalog_models")]

    operations = [migrations.RunPython(create_catalog, remove_catalog)]
