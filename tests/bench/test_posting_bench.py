"""The posting benchmark stays runnable: a few hundred journals through the engine and bare."""

from sqlalchemy import create_engine

from bench import posting


def test_the_posting_benchmark_posts_through_the_engine_on_a_small_book(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'engine.sqlite3'}")
    bare = create_engine(f"sqlite:///{tmp_path / 'bare.sqlite3'}")
    rows = dict(posting.measure(200, engine, bare))
    engine.dispose()
    bare.dispose()
    assert rows["engine (post_batch)"].endswith(" s)")
    assert rows["bare Core insert (baseline)"].endswith(" s)")
    assert float(rows["engine / bare rate"].split()[0]) > 0
