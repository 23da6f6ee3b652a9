"""Rules of clients, related people and matters (accounting/parties/clients.py)."""

from datetime import date

import pytest
from sqlalchemy import func, select

from accounting.audit import AuditEvent
from accounting.errors import InvalidIdentifier, LedgerError, NotFound
from accounting.parties.clients import (
    Client,
    ClientDetails,
    Matter,
    MatterStatus,
    add_person,
    archive_client,
    get_client,
    get_person,
    open_matter,
    remove_person,
    responsible_users,
    save_client,
    search_clients,
    search_matters,
    update_matter,
    validate_abn,
    validate_acn,
    validate_tfn,
)


def new_client(books, name="Acme Pty Ltd", kind="company", **fields) -> Client:
    return save_client(books.session, books.admin, ClientDetails(kind=kind, name=name, **fields))


def new_matter(books, client, description="Lease review", on=date(2026, 7, 1)) -> Matter:
    return open_matter(books.session, books.admin, client, description=description,
                       responsible_id=books.staff.id, opened_on=on)


def refusal(call) -> LedgerError:
    with pytest.raises(LedgerError) as caught:
        call()
    return caught.value


# Identifiers


@pytest.mark.parametrize("check, typed, stored", [
    (validate_tfn, "123 456 782", "123456782"),
    (validate_tfn, "", ""),
    (validate_abn, "51 824 753 556", "51824753556"),
    (validate_acn, "004-085-616", "004085616"),
])
def test_valid_identifiers_are_stored_compact(check, typed, stored):
    assert check(typed) == stored


@pytest.mark.parametrize("check, typed, field, words", [
    (validate_tfn, "123 456 789", "tfn", "check digit"),
    (validate_tfn, "12345", "tfn", "not a valid TFN"),
    (validate_abn, "51 824 753 557", "abn", "check digit"),
    (validate_abn, "ABN please", "abn", "not a valid ABN"),
    (validate_acn, "004 085 617", "acn", "check digit"),
])
def test_identifiers_failing_their_checksum_or_format_are_refused(check, typed, field, words):
    error = refusal(lambda: check(typed))
    assert isinstance(error, InvalidIdentifier)
    assert error.field == field and words in error.message


# Saving a client


def test_a_client_gets_a_code_and_an_audit_line(books):
    acme = new_client(books, tfn="123456782", abn="51824753556")
    second = new_client(books, "Brown", kind="individual")
    assert (acme.code, second.code) == ("C00001", "C00002")
    assert acme.tfn_masked == "••• ••782"
    assert acme.abn_display == "51 824 753 556"
    summaries = books.session.execute(select(AuditEvent.summary)).scalars().all()
    assert "Client C00001 Acme Pty Ltd created" in summaries


@pytest.mark.parametrize("fields, field", [
    ({"name": "  "}, "name"),
    ({"kind": "alien"}, "kind"),
    ({"name": "x" * 201}, "name"),
    ({"phone": "0" * 41}, "phone"),
    ({"postal_postcode": "12345678901"}, "postal_postcode"),
    ({"email": "nobody"}, "email"),
    ({"abn": "1" * 21}, "abn"),
    ({"kind": "individual", "acn": "004085616"}, "acn"),
])
def test_a_bad_client_is_refused_naming_its_field_and_saving_nothing(books, fields, field):
    values = {"kind": "company", "name": "Acme", **fields}
    error = refusal(lambda: save_client(books.session, books.admin, ClientDetails(**values)))
    assert error.field == field
    assert books.session.scalar(select(func.count()).select_from(Client)) == 0


def test_an_over_long_name_names_the_limit(books):
    error = refusal(lambda: new_client(books, "x" * 201))
    assert error.message == "Use at most 200 characters for the name."


def test_changing_a_client_keeps_its_code(books):
    acme = new_client(books)
    save_client(books.session, books.admin, ClientDetails(kind="trust", name="Acme Trust"), acme)
    assert (acme.code, acme.name, acme.kind.value) == ("C00001", "Acme Trust", "trust")


def test_a_tfn_of_none_keeps_the_one_on_file_and_blank_removes_it(books):
    acme = new_client(books, tfn="123456782")
    save_client(books.session, books.admin, ClientDetails(kind="company", name="Acme", tfn=None), acme)
    assert acme.tfn == "123456782"
    save_client(books.session, books.admin, ClientDetails(kind="company", name="Acme", tfn=""), acme)
    assert acme.tfn == ""


# Searching


def test_search_matches_name_code_email_and_abn_but_not_archived_clients(books):
    acme = new_client(books, "Acme Pty Ltd", email="office@acme.example", abn="51824753556")
    brown = new_client(books, "Brown Family Trust", kind="trust")
    gone = new_client(books, "Acme Archived", kind="company")
    archive_client(books.session, books.admin, gone)

    def names(query):
        return [c.name for c in search_clients(books.session, query)[0]]

    assert names("") == ["Acme Pty Ltd", "Brown Family Trust"]
    assert names("ACME") == ["Acme Pty Ltd"]
    assert names(brown.code) == ["Brown Family Trust"]
    assert names("office@") == ["Acme Pty Ltd"]
    assert names("51 824") == ["Acme Pty Ltd"]
    assert names("_") == []
    assert acme in search_clients(books.session, "acme")[0]
    assert search_clients(books.session, "acme", archived=True)[0] == [gone]


def test_search_pages_report_the_total(books):
    for name in "ABCDE":
        new_client(books, name, kind="individual")
    rows, total = search_clients(books.session, "", page=2, per_page=2)
    assert ([c.name for c in rows], total) == (["C", "D"], 5)


def test_matters_are_searched_and_filtered_by_status(books):
    acme, brown = new_client(books), new_client(books, "Brown", kind="individual")
    lease, will = new_matter(books, acme, "Lease"), new_matter(books, brown, "Will")
    update_matter(books.session, books.admin, will, description="Will", responsible_id=None,
                  status="closed", today=date(2026, 8, 1))
    assert search_matters(books.session)[0] == [will, lease]
    assert search_matters(books.session, status="open")[0] == [lease]
    assert search_matters(books.session, status="closed")[0] == [will]
    assert search_matters(books.session, "brown")[0] == [will]
    assert search_matters(books.session, lease.number)[0] == [lease]
    assert search_matters(books.session, status="nonsense")[1] == 2


# Related people


def test_people_are_related_in_a_role_and_removed(books):
    acme = new_client(books)
    person = add_person(books.session, books.admin, acme, name=" Jane ", role="trustee")
    assert (person.name, person.role.label) == ("Jane", "Trustee")
    assert get_person(books.session, acme, person.id) is person
    remove_person(books.session, books.admin, person)
    books.session.expire_all()
    assert acme.people == []


@pytest.mark.parametrize("fields, field", [
    ({"name": ""}, "name"),
    ({"role": "king"}, "role"),
    ({"email": "jane"}, "email"),
    ({"name": "j" * 201}, "name"),
])
def test_a_bad_person_is_refused(books, fields, field):
    acme = new_client(books)
    values = {"name": "Jane", "role": "director", **fields}
    assert refusal(lambda: add_person(books.session, books.admin, acme, **values)).field == field


def test_a_person_is_only_found_through_their_own_client(books):
    acme, other = new_client(books), new_client(books, "Other")
    person = add_person(books.session, books.admin, other, name="Sam", role="member")
    with pytest.raises(NotFound):
        get_person(books.session, acme, person.id)
    with pytest.raises(NotFound):
        get_client(books.session, 9999)


# Matters


def test_matters_are_numbered_and_open(books):
    acme = new_client(books)
    first, second = new_matter(books, acme), new_matter(books, acme, "Second")
    assert (first.number, second.number) == ("M00001", "M00002")
    assert first.is_open and first.status == MatterStatus.OPEN and first.closed_on is None
    assert first.label == "M00001 Lease review"


def test_closing_a_matter_dates_it_and_reopening_clears_the_date(books):
    matter = new_matter(books, new_client(books))
    update_matter(books.session, books.admin, matter, description="Lease", responsible_id=None,
                  status="closed", today=date(2026, 8, 1))
    assert (matter.status, matter.closed_on) == (MatterStatus.CLOSED, date(2026, 8, 1))
    update_matter(books.session, books.admin, matter, description="Lease", responsible_id=None,
                  status="closed", today=date(2026, 9, 1))
    assert matter.closed_on == date(2026, 8, 1)  # closing again keeps the first date
    update_matter(books.session, books.admin, matter, description="Lease", responsible_id=None,
                  status="open", today=date(2026, 9, 1))
    assert (matter.is_open, matter.closed_on) == (True, None)


def test_a_matter_needs_a_description_of_sensible_length(books):
    acme = new_client(books)
    assert refusal(lambda: new_matter(books, acme, " ")).field == "description"
    assert refusal(lambda: new_matter(books, acme, "d" * 301)).field == "description"
    assert refusal(lambda: update_matter(books.session, books.admin, new_matter(books, acme),
                                         description="x", responsible_id=None, status="paused",
                                         today=date.today())).field == "status"


def test_only_an_active_user_can_be_made_responsible(books):
    acme = new_client(books)
    matter = new_matter(books, acme)
    books.staff.active = False
    books.session.flush()
    assert responsible_users(books.session) == [books.admin]
    error = refusal(lambda: new_matter(books, acme))
    assert error.field == "responsible_id"
    # An inactive person already responsible may stay while other details change.
    update_matter(books.session, books.admin, matter, description="Renamed",
                  responsible_id=books.staff.id, status="open", today=date.today())
    assert matter.description == "Renamed"


def test_an_archived_client_takes_no_new_matters_until_restored(books):
    acme = new_client(books)
    archive_client(books.session, books.admin, acme)
    assert not acme.can_open_matter()
    assert "archived" in refusal(lambda: new_matter(books, acme)).message
    archive_client(books.session, books.admin, acme, archived=False)
    assert new_matter(books, acme).client is acme


# A TFN at rest


def raw_tfns(books) -> list[str]:
    """The client table's tfn column as the database holds it, by client code."""
    from sqlalchemy import text

    return books.session.execute(text("SELECT tfn FROM client ORDER BY code")).scalars().all()


def test_a_tfn_is_stored_encrypted_and_read_back_in_clear(books):
    new_client(books, tfn="123 456 782")
    new_client(books, "Brown", kind="individual")
    books.session.commit()
    stored, none_on_file = raw_tfns(books)
    assert "123456782" not in stored and stored.startswith("gAAAAA")
    assert none_on_file == ""
    books.session.expire_all()
    assert books.session.scalar(select(Client).where(Client.code == "C00001")).tfn == "123456782"


def test_changing_the_tfn_stores_a_new_token_never_the_digits(books):
    acme = new_client(books, tfn="123456782")
    books.session.commit()
    first = raw_tfns(books)[0]
    save_client(books.session, books.admin, ClientDetails(kind="company", name="Acme", tfn=None), acme)
    books.session.commit()
    assert raw_tfns(books) == [first]  # kept on file, untouched
    save_client(books.session, books.admin, ClientDetails(kind="company", name="Acme",
                                                          tfn="876 543 210"), acme)
    books.session.commit()
    (second,) = raw_tfns(books)
    assert second != first and "876543210" not in second
    books.session.expire_all()
    assert acme.tfn == "876543210" and acme.tfn_masked == "••• ••210"


def test_the_audit_log_never_holds_a_tfn(books):
    acme = new_client(books, tfn="123456782")
    save_client(books.session, books.admin, ClientDetails(kind="company", name="Acme",
                                                          tfn="876543210"), acme)
    summaries = " ".join(books.session.execute(select(AuditEvent.summary)).scalars())
    assert "123456782" not in summaries and "876543210" not in summaries


def test_a_tfn_written_with_another_key_is_an_error_naming_the_setting(books, monkeypatch):
    from accounting import encryption

    acme = new_client(books, tfn="123456782")
    books.session.commit()
    monkeypatch.setattr(encryption, "_keyring", encryption._keyring)
    encryption.configure([encryption.new_key()])
    books.session.expire_all()
    with pytest.raises(encryption.EncryptionKeyError, match="ENCRYPTION_KEYS"):
        _ = acme.tfn
