"""Choices in words: no dashes for the empty choice, and the return types explained."""

import pytest
from django import forms

from applicants.choices import ReturnType
from applicants.forms import IdentityForm, ReturnHistoryForm
from applicants.selectors import PROFILE_STEPS
from portal.forms import word_empty_choice

pytestmark = pytest.mark.django_db


def test_profile_steps_offer_choose_an_option_and_never_dashes(owner, owner_client):
    profile = owner.profile
    for step in PROFILE_STEPS:
        html = owner_client.get(f"/perfil/{profile.public_id}/paso/{step.slug}/").content.decode()
        assert "---" not in html, step.slug
    identity = owner_client.get(f"/perfil/{profile.public_id}/paso/identity/").content.decode()
    assert '<option value="">Elija una opción</option>' in identity


def test_return_types_are_radios_each_with_what_it_means(owner, owner_client):
    html = owner_client.get(f"/perfil/{owner.profile.public_id}/paso/return/").content.decode()

    assert 'type="radio" class="form-check-input"  name="return_type" value="productivo"' in html
    assert "Retorno productivo: volvió para crear o hacer crecer un negocio." in html
    assert "Retorno solidario: usted es víctima del conflicto armado en Colombia." in html
    assert "Si lo deportaron, elija según lo que planea hacer ahora" in html


def test_return_type_radios_have_no_empty_choice():
    form = ReturnHistoryForm()

    assert [value for value, _label in form.fields["return_type"].choices] == [
        ReturnType.PRODUCTIVO,
        ReturnType.LABORAL,
        ReturnType.HUMANITARIO,
        ReturnType.SOLIDARIO,
    ]


def test_a_select_says_choose_an_option():
    assert list(IdentityForm().fields["sex"].choices)[0] == ("", "Elija una opción")


def test_model_choice_radios_lose_the_empty_label_and_selects_word_it():
    from applicants.models import Department

    select = forms.ModelChoiceField(Department.objects.all())
    radios = forms.ModelChoiceField(Department.objects.all(), widget=forms.RadioSelect)
    word_empty_choice(select)
    word_empty_choice(radios)

    assert select.empty_label == "Elija una opción"
    assert radios.empty_label is None
