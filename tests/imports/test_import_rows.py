"""A row's own checks, without a database: the quick e-mail check agrees with the
single-record mutations' (`EmailStr`) on every address it takes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from pydantic.networks import EmailStr

from kesher.resolvers.imports import _PLAIN_EMAIL, plain_email

EMAIL = TypeAdapter(EmailStr)


def library(address: str) -> str | None:
    try:
        return EMAIL.validate_python(address)
    except ValidationError:
        return None


@given(st.from_regex(_PLAIN_EMAIL, fullmatch=True))
def test_an_address_the_quick_check_takes_is_one_the_library_takes_alike(address: str) -> None:
    quick = plain_email(address)
    if quick is not None:
        accepted = library(address)
        assert accepted is not None, address
        assert accepted.lower() == quick.lower()


def test_what_the_quick_check_leaves_to_the_library() -> None:
    for address in (
        "dana@cohen.local",
        "dana@printer.localhost",
        "a@b.test",
        "dana@xn--4dbrk0ce.example",
        "דנה@cohen.co.il",
        "dana@cohen",
        "dana@123.456",
        "d" * 65 + "@cohen.co.il",
        '"dana levi"@cohen.co.il',
        "dana..levi@cohen.co.il",
    ):
        assert plain_email(address) is None, address
    assert plain_email(" Dana.Levi+crm@Cohen.co.il ") == "Dana.Levi+crm@Cohen.co.il"
