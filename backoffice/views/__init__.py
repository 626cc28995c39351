"""The back office screens, one module per screen area. Importing this package
registers every view on the blueprint."""

from backoffice.views import (  # noqa: F401 - each module registers its views
    account,
    actions,
    admin,
    case,
    case_people,
    centre,
    child_voice,
    consultations,
    contact_rules,
    intake,
    network,
    partner_members,
    partners,
    print,
    queue,
    risk,
    safety_plan,
    sign_in,
    stats,
    transfers,
    triage,
)
