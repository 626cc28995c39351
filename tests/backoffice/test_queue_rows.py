"""The queue's rows, written in Python (backoffice/queue_rows.py), are the
markup the template's loop wrote, to the byte, in every staff language and
with values that must be escaped: the loop is kept here as it was."""

# ruff: noqa: E501 - the template's lines, as they were

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from flask import g

from backoffice.page_words import translated, waiting_words
from backoffice.queue_rows import row_words, rows_markup
from core.identity.accounts import STAFF_LANGUAGES
from core.intake.priority import Reason
from core.intake.queue import QueueItem, QueueRow, ReferralUrgency
from web.casefile.labels import KIND_LABELS, REASON_LABELS, STATUS_LABELS

# The loop of queue.html before the rows moved to Python (its lines as they were).
TEMPLATE_LOOP = """{% autoescape true %}
  {%- for row in page.rows %}
    {% set intake = row.intake %}
    <tr class="{{ 'overdue' if row.overdue or row.callback_due else '' }}">
      <td><a href="{{ request_url }}{{ intake.id }}">#{{ intake.id }}</a></td>
      <td>
        {#- Talk now (issue 21): a booked call-back, on top once it is due. -#}
        {% if intake.callback_at and not intake.first_contact_at %}<p class="callback">{{ _("Call back at %(when)s", when=intake.callback_at | datetimeformat("medium")) }}{% if row.callback_due %} <strong>{{ _("due now") }}</strong>{% endif %}</p>{% endif %}
        {% if row.reasons %}<ul class="reasons">{% for reason in row.reasons %}<li>{{ reason_labels[reason.code] }}</li>{% endfor %}</ul>{% elif not intake.callback_at %}–{% endif %}
      </td>
      <td>{{ waiting_words(row.waiting) }}{% if row.overdue %} <strong>{{ _("overdue") }}</strong>{% endif %}</td>
      <td>{{ kind_labels[intake.kind] }}</td>
      <td>{{ status_labels[intake.status] }}</td>
      <td>{{ holders.get(intake.assigned_to_id, "–") }}</td>
      <td>{{ intake.municipality_name or "–" }}</td>
      <td>{{ language_names.get(intake.language, intake.language) }}</td>
    </tr>
  {% endfor %}{% endautoescape %}"""

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
REASONS = [
    [],
    [Reason("danger_now", 1000), Reason("unread_message", 25)],
    [Reason("not_a_known_code", 5)],
]
WAITS = [timedelta(seconds=1), timedelta(hours=30), timedelta(days=12)]


def _rows() -> list[QueueRow]:
    rows = []
    cases = product(
        (None, NOW + timedelta(minutes=5)),  # callback_at
        (None, NOW - timedelta(hours=1)),  # first_contact_at
        (False, True),  # overdue
        (False, True),  # callback_due
        range(len(REASONS)),
    )
    for n, (callback_at, contacted_at, overdue, due, reasons) in enumerate(cases, start=1):
        rows.append(
            QueueRow(
                intake=QueueItem(
                    id=n,
                    kind=("contact", "referral", "young", "no_such_door")[n % 4],
                    status=("new", "in_triage", "no_such_status")[n % 3],
                    language=("nl", "fr", "xx<&>")[n % 3],
                    danger_now=False,
                    children_involved=None,
                    created_at=NOW - WAITS[n % 3],
                    first_contact_at=contacted_at,
                    callback_at=callback_at,
                    assigned_to_id=(None, 7, 8)[n % 3],
                    municipality_name=(None, "Lier", "<b>Sint-Job & 't Goor</b>")[n % 3],
                    referral=ReferralUrgency("today", ["weapons"]) if n % 5 == 0 else None,
                ),
                reasons=REASONS[reasons],
                overdue=overdue,
                waiting=WAITS[n % 3],
                callback_due=due,
            )
        )
    return rows


@pytest.mark.parametrize("language", STAFF_LANGUAGES)
def test_the_rows_are_the_markup_the_template_wrote(app, language):
    rows = _rows()
    holders = {7: "Ann <Peeters>", 8: "Bo & \"Co\" 'x'"}
    with app.test_request_context("/staff/"):
        g.lang = language
        from web.i18n import LANGUAGE_NAMES

        expected = app.jinja_env.from_string(TEMPLATE_LOOP).render(
            page={"rows": rows},
            request_url="/staff/intakes/",
            kind_labels=translated(KIND_LABELS),
            status_labels=translated(STATUS_LABELS),
            reason_labels=translated(REASON_LABELS),
            waiting_words=waiting_words(),
            holders=holders,
            language_names=LANGUAGE_NAMES,
        )
        written = rows_markup(rows, row_words("/staff/intakes/", holders))
    assert "&lt;b&gt;Sint-Job &amp; &#39;t Goor&lt;/b&gt;" in written
    assert "Bo &amp; &#34;Co&#34; &#39;x&#39;" in written
    assert 'class="callback"' in written and 'class="reasons"' in written
    assert str(written) == expected
