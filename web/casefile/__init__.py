"""What the professional faces share about a case file: the back office and
the partner face read the same file in the same words. Staff and partners
work in nl, fr and en, so these strings are not in the portal's catalogue
(babel-portal.cfg takes only web/*.py and web/templates/*.html), and the
portal may not import this package (pyproject.toml)."""
