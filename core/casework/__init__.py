"""Joint case files: people and relations, safety plans, risk, partners and what
they may see, actions and case consultations."""
