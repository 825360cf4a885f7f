"""factory_boy factories for every model of the six apps, one module per app (users for logins).

`from tests.factories import X` finds every one of them. Factories write valid rows: an appointment
keeps clear of its provider's other appointments, a consent signs the text in force for its service,
rows of an appointment take its patient. tests/test_factories.py checks all of that, and that every
model has a factory.
"""

from .audit import ErasureFactory
from .bookings import (
    DEFAULT_START,
    AppointmentEventFactory,
    AppointmentFactory,
    ContactProposalFactory,
    DeviceFactory,
    EmbedOriginFactory,
    IdentityCodeFactory,
    LocationFactory,
    PatientFactory,
    ProviderFactory,
    RoomFactory,
    TimeOffFactory,
    WaitlistEntryFactory,
    WorkingHoursFactory,
)
from .charting import (
    AddendumFactory,
    AssessmentFactory,
    AssessmentRowFactory,
    InjectionSiteFactory,
    LotUseFactory,
    OverrideFactory,
    PhotoFactory,
    SignedRecordFactory,
    TreatmentRecordFactory,
)
from .intake import (
    AccessLogFactory,
    ConsentFactory,
    ConsentTextFactory,
    FollowUpFactory,
    IntakeDraftFactory,
    MedicalHistoryFactory,
    ScreeningDecisionFactory,
    ScreeningHitFactory,
    png_bytes,
)
from .reminders import MessageFactory, WebhookDeliveryFactory, WebhookEndpointFactory
from .treatments import (
    AftercareStepFactory,
    CatalogVersionFactory,
    ProductFactory,
    ServiceFactory,
    TreatmentAreaFactory,
)
from .users import PASSWORD, UserFactory

__all__ = [
    "DEFAULT_START",
    "PASSWORD",
    "AccessLogFactory",
    "AddendumFactory",
    "AftercareStepFactory",
    "AppointmentEventFactory",
    "AppointmentFactory",
    "AssessmentFactory",
    "AssessmentRowFactory",
    "CatalogVersionFactory",
    "ConsentFactory",
    "ConsentTextFactory",
    "ContactProposalFactory",
    "DeviceFactory",
    "EmbedOriginFactory",
    "ErasureFactory",
    "FollowUpFactory",
    "IdentityCodeFactory",
    "InjectionSiteFactory",
    "IntakeDraftFactory",
    "LocationFactory",
    "LotUseFactory",
    "MedicalHistoryFactory",
    "MessageFactory",
    "OverrideFactory",
    "PatientFactory",
    "PhotoFactory",
    "ProductFactory",
    "ProviderFactory",
    "RoomFactory",
    "ScreeningDecisionFactory",
    "ScreeningHitFactory",
    "ServiceFactory",
    "SignedRecordFactory",
    "TimeOffFactory",
    "TreatmentAreaFactory",
    "TreatmentRecordFactory",
    "UserFactory",
    "WaitlistEntryFactory",
    "WebhookDeliveryFactory",
    "WebhookEndpointFactory",
    "WorkingHoursFactory",
    "png_bytes",
]
