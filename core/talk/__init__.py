"""Talk now: live conversations with the team, and what a person leaves when
nobody is there (a message, a booked call-back). See docs/adr/0034."""
