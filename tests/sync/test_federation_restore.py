"""A source restored from a backup numbers its next changes again from the backup's last
one; its feed pages then carry a new epoch (``openror restore`` renews it), and the follower
brings itself level (verify and repair) instead of skipping the new changes and keeping the
lost ones. Both back-ends, with the real backup and restore."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from openror.store import federation_sources, feed_epoch
from openror.store.backup import backup, restore
from openror.store.schema import change_feed
from openror.sync.federation.follow import Follower
from tests.sync.federation_fixture import Instance, add_source, fast_client
from tests.sync.test_federation import hashes, populate


def newest_change(instance: Instance) -> int:
    with instance.services.db.read() as conn:
        return int(conn.execute(sa.select(sa.func.max(change_feed.c.seq))).scalar_one())


def epoch_of(instance: Instance) -> str | None:
    with instance.services.db.read() as conn:
        return feed_epoch.current(conn)


def followed_epoch(follower: Instance) -> str | None:
    with follower.services.db.read() as conn:
        return federation_sources.need(conn, "src").epoch


def test_a_source_restored_from_a_backup_is_followed_again(
        database_pair: tuple[str, str, str], tmp_path: Path) -> None:
    kind, source_url, others = database_pair
    source = Instance(source_url, tmp_path / "s", "11")
    follower = Instance(others.split("|")[0], tmp_path / "f", "84")
    source.start()
    try:
        populate(source, sites=2)
        add_source(follower, source.url, source, tmp_path)
        follow = Follower(follower.services.writes, "src", page_size=4, client=fast_client)
        assert follow.catch_up().error is None
        assert followed_epoch(follower) == epoch_of(source) is not None
        saved = tmp_path / ("backup.sqlite" if kind == "sqlite" else "backup.dump")
        backup(source_url, saved)
        lost = populate(source, sites=1, finess="12")["Organization"][0]  # gone at restore
        before = follow.catch_up()
        assert follower.body("Organization", lost) is not None

        port, old_epoch = source.port, epoch_of(source)
        source.close()
        restore(saved, source_url, force=True)
        source = Instance(source_url, tmp_path / "s2", "11")
        source.port = port
        source.start()
        assert epoch_of(source) != old_epoch
        made = populate(source, sites=1, finess="13")["Organization"][0]
        assert newest_change(source) <= before.cursor  # numbers the follower has passed

        report = follow.catch_up()
        assert report.error is None and report.rebased is not None, report
        assert "renumbered" in str(report)
        assert follower.body("Organization", lost) is None
        assert follower.body("Organization", made) is not None
        assert hashes(follower, "src") == hashes(source)
        assert followed_epoch(follower) == epoch_of(source)

        later = populate(source, sites=1, finess="14")["Organization"][0]
        again = follow.catch_up()  # on from the new numbers, no second repair
        assert again.error is None and again.rebased is None
        assert follower.body("Organization", later) is not None
        assert hashes(follower, "src") == hashes(source)
    finally:
        source.close()
        follower.close()
