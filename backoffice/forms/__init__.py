"""The back office's forms, one module per screen area. Every form is a
web.forms.Form (or FlaskForm) rendered with the one field() macro."""
