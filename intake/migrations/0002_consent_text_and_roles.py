"""The first consent text for neuromodulator treatment and consultations, and who may do what."""

from django.db import migrations

from medspa.roles import FRONT_DESK, INJECTOR, MANAGER, grant, revoke

TREATMENT_CONSENT = """I ask to be treated with a botulinum toxin product (such as Botox, Dysport, Xeomin, Jeuveau, \
Daxxify or Letybo) in the areas my injector and I agree on.

I understand that:
- The product relaxes the muscles it is injected into. The effect begins in 1 to 3 days, is complete at about two \
weeks, and usually lasts three to four months (a lip flip less, Daxxify longer). It is not permanent.
- Results vary. Some areas need a small touch-up at the two-week review; the aim is a natural, balanced look.
- Treating some areas (for example the lip, chin, gums, jaw, neck or brow tail) is "off-label": a common, \
well-described use for which the product is not specifically approved by the FDA.
- Common effects are small bumps, redness, bruising and headache, which pass within days. Less often, an eyelid or \
brow can droop, or a smile can look uneven, for a few weeks.
- Rarely, the effect spreads beyond the injected area. Trouble swallowing, speaking or breathing, neck or general \
weakness, or double or blurred vision can appear hours to weeks after treatment: I will seek medical care at once \
and tell the clinic.
- I have answered the medical history truthfully, including pregnancy, breastfeeding, nerve or muscle conditions, \
medicines and recent treatments elsewhere, and I will tell the clinic if anything changes before my visit.
- I will follow the aftercare advice: stay upright for 4 hours, avoid rubbing the area and strenuous exercise for \
24 to 48 hours.
- I may ask questions at any time, and I may withdraw my consent before treatment.
- Photographs taken for my record stay in my clinical file and are not shared without my written permission."""

CONSULTATION_CONSENT = """I agree to a facial assessment: my injector will look at my face at rest and in motion, \
may take photographs for my clinical record, and will discuss treatment options with me. No injection is given \
without a separate consent. My answers and photographs stay in my clinical file and are not shared without my \
written permission."""

GRANTS = {
    FRONT_DESK: [],
    INJECTOR: ["view_consenttext", "view_consent"],
    MANAGER: ["view_consenttext", "add_consenttext", "view_consent", "view_accesslog", "export_accesslog"],
}


def forwards(apps, schema_editor):
    ConsentText = apps.get_model("intake", "ConsentText")
    Service = apps.get_model("treatments", "Service")
    for slug, title, body in (
        ("neuromodulator-treatment", "Consent to neuromodulator treatment", TREATMENT_CONSENT),
        ("facial-balancing-consultation", "Consent to a facial assessment", CONSULTATION_CONSENT),
    ):
        service = Service.objects.filter(slug=slug).first()
        if service and not ConsentText.objects.filter(service=service).exists():
            ConsentText.objects.create(service=service, version=1, title=title, body=body)
    grant(apps, "intake", {role: codenames for role, codenames in GRANTS.items() if codenames})


def backwards(apps, schema_editor):
    revoke(apps, "intake", GRANTS)
    apps.get_model("intake", "ConsentText").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_intake_models"),
        ("treatments", "0003_staff_roles"),
        ("bookings", "0006_clinical_permission_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
