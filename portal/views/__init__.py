"""The portal's pages, one module per kind of page. Importing this package
registers every view on the blueprint."""

from portal.views import doors, feedback, mailbox, pages, talk, talk_left_behind  # noqa: F401 - each registers its views
