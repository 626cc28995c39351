"""Who a staff member is and may do: accounts, passwords, two-step sign-in,
sessions, invitations, the sign-in throttle and the role permissions."""
