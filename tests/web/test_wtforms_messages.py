"""wtforms' own messages speak the page's language, from a catalogue each
process loads once per language (web/forms.py), not once per request."""

from flask import g
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField

from web import forms


class _NumberForm(FlaskForm):
    class Meta:
        csrf = False

    number = IntegerField("Number")


def _error_in(app, lang: str) -> str:
    with app.test_request_context(f"/{lang}/", method="POST"):
        app.preprocess_request()
        g.lang = lang
        form = _NumberForm(formdata=MultiDict({"number": "twelve"}))
        assert not form.validate()
        return form.number.errors[0]


def test_a_wtforms_message_is_in_the_language_of_each_request(app):
    assert _error_in(app, "nl") == "Ongeldig getal."
    assert _error_in(app, "fr") == "N'est pas un entier valide."
    assert _error_in(app, "nl") == "Ongeldig getal."


def test_the_catalogue_is_loaded_once_per_language(app, monkeypatch):
    monkeypatch.setattr(forms, "_WTFORMS_CATALOGUES", {})
    loads = []
    original = forms.support.Translations.load

    def counting_load(*args, **kwargs):
        loads.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(forms.support.Translations, "load", counting_load)
    for _ in range(3):
        _error_in(app, "nl")
        _error_in(app, "uk")
    assert loads == [["nl"], ["uk"]]
