"""The data model (SQLAlchemy 2, typed). Personal data and free text use
EncryptedText; every row that belongs to a centre carries centre_id (or belongs
to a row that does), so the centres of a network share one installation.

One module per aggregate; everything is importable from `core.model`."""

from core.model.audit import (  # noqa: F401
    AuditEvent,
)
from core.model.base import (  # noqa: F401
    NAMING_CONVENTION,
    Base,
    UTCDateTime,
    utcnow,
)
from core.model.casework import (  # noqa: F401
    Case,
    CaseAction,
    CaseConsultation,
    CaseEvent,
    CaseIntake,
    CaseMember,
    CasePartner,
    CasePartnerMember,
    CasePerson,
    CaseRelation,
    CaseStatus,
    ChildVoice,
    ConsultationContribution,
    PlannedConsultation,
    RiskAssessment,
    SafetyPlan,
)
from core.model.feedback import (  # noqa: F401
    Feedback,
)
from core.model.identity import (  # noqa: F401
    LoginThrottle,
    PartnerOrganisation,
    RecoveryCode,
    Role,
    Staff,
    StaffSession,
)
from core.model.intake import (  # noqa: F401
    ContactAttempt,
    ContactRulesChange,
    Intake,
    IntakeKind,
    IntakeLink,
    IntakeStatus,
    IntakeStatusChange,
    Message,
    MessageDirection,
    Referral,
    TriageDecision,
    TriageOutcome,
)
from core.model.mailbox import (  # noqa: F401
    MailboxSession,
)
from core.model.network import (  # noqa: F401
    Centre,
    CentreTransfer,
    Municipality,
    StaffCentre,
    TransferStatus,
)

# Rectification, restriction, erasure requests (issue 25, GDPR art. 16-18).
from core.model.rectification import (  # noqa: F401
    ErasureRequest,
    ErasureStatus,
    IntakeCorrection,
    IntakeRestriction,
    PersonCorrection,
    PersonRestriction,
    RefusalGround,
    restricted_intake_ids,
    restricted_person_ids,
)

# Retention holds and purge traces (issue 25, retention).
from core.model.retention import (  # noqa: F401
    CaseHold,
    IntakeHold,
    PurgedRecord,
    PurgeTrace,
)

# Access requests (issue 25, GDPR art. 15).
from core.model.rights import (  # noqa: F401
    AccessItem,
    AccessRequest,
    AccessStatus,
    ItemDecision,
)
from core.model.system import (  # noqa: F401
    HealthWrite,
    KeyCanary,
)
from core.model.talk import (  # noqa: F401
    Conversation,
    ConversationKind,
    ConversationMessage,
    ConversationStatus,
    EndReason,
    Sender,
    TalkAvailability,
)

__all__ = [
    "NAMING_CONVENTION",
    "utcnow",
    "UTCDateTime",
    "Base",
    "Centre",
    "CentreTransfer",
    "Municipality",
    "StaffCentre",
    "TransferStatus",
    "Role",
    "Staff",
    "StaffSession",
    "RecoveryCode",
    "LoginThrottle",
    "IntakeKind",
    "IntakeStatus",
    "MessageDirection",
    "Intake",
    "Referral",
    "Message",
    "TriageOutcome",
    "ContactAttempt",
    "ContactRulesChange",
    "Feedback",
    "MailboxSession",
    "TriageDecision",
    "IntakeStatusChange",
    "IntakeLink",
    "CaseStatus",
    "Case",
    "CaseIntake",
    "CasePerson",
    "CaseMember",
    "CaseEvent",
    "RiskAssessment",
    "CasePartner",
    "CaseRelation",
    "SafetyPlan",
    "CaseConsultation",
    "CaseAction",
    "CasePartnerMember",
    "ChildVoice",
    "PlannedConsultation",
    "ConsultationContribution",
    "PartnerOrganisation",
    "AuditEvent",
    "KeyCanary",
    "HealthWrite",
    "Conversation",
    "ConversationKind",
    "ConversationMessage",
    "ConversationStatus",
    "EndReason",
    "Sender",
    "TalkAvailability",
    # Rectification, restriction, erasure requests (issue 25, GDPR art. 16-18).
    "ErasureRequest",
    "ErasureStatus",
    "IntakeCorrection",
    "IntakeRestriction",
    "PersonCorrection",
    "PersonRestriction",
    "RefusalGround",
    "restricted_intake_ids",
    "restricted_person_ids",
    # Access requests (issue 25, GDPR art. 15).
    "AccessItem",
    "AccessRequest",
    "AccessStatus",
    "ItemDecision",
    # Retention holds and purge traces (issue 25, retention).
    "CaseHold",
    "IntakeHold",
    "PurgedRecord",
    "PurgeTrace",
]
