"""Requests from the portal until a case file takes them over: submission,
return codes and mailbox, priority, the queue, triage and safe contact windows."""
