"""Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL,
and a database built by them holds the demo practice."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

import accounting.models  # noqa: F401
from accounting.base import Base


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database("migrated")


@pytest.fixture
def migrated_app(empty_database):
    from app import create_app
    from extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def test_migrations_build_the_schema_the_models_describe(migrated_app):
    from extensions import db

    with db.engine.connect() as conn:
        differences = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert differences == [], "a model changed without a migration: run `flask db migrate`"


def test_a_migrated_database_takes_the_demo_and_downgrades_cleanly(migrated_app):
    from accounting.demo import seed_demo
    from accounting.integrity import find_problems
    from extensions import db

    assert seed_demo(db.session, admin_password="demo-password-1") == "demo-password-1"
    db.session.commit()
    assert find_problems(db.session) == []
    db.session.remove()
    downgrade(revision="base")
    upgrade()
