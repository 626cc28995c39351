"""The partner screens. Importing this package registers every view."""

from partner.views import (  # noqa: F401 - each module registers its views
    cases,
    sign_in,
    work,
)
