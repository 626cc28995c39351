"""Figures for the team and the funders, with small-count suppression."""
