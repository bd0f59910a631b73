from django import forms


class BootstrapFormMixin:
    """Give every widget Bootstrap's class, and mark invalid fields so the message sits beside them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            if self.is_bound and name in self.errors:
                css += " is-invalid"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
