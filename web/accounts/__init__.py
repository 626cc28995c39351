"""Signing in, for both professional faces (the back office and partners):
the session state, the forms and the sign-in routes, given a `Face` that says
which accounts it takes and where they land. The rules are core.identity's;
this is their one web binding, so both faces sign in the same way."""
