"""The back office screens, one module per screen area. Importing this package
registers every view on the blueprint."""

# Rectification, restriction, erasure requests (issue 25).
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
    retention,  # issue 25: retention and legal holds
    rights,  # issue 25: the index and access requests (GDPR art. 15)
    rights_records,  # noqa: F401, E402 - registers its views
    risk,
    safety_plan,
    sign_in,
    stats,
    # Talk now (issue 21): the list and one conversation.
    talk,
    talk_conversation,
    transfers,
    triage,
)
