"""``lantian monitoring judge|writer|maintain|archive|unarchive``: the streaming judge, the bus
writer, partitions ahead of time, and months past the retention period moved to Parquet archives."""

from __future__ import annotations

import logging
import signal

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "在线监测后台：judge 实时判定；writer 从总线写库；maintain 预建分区、按保存期限归档；"
        "archive 归档超过保存期限的月份；unarchive 从归档文件恢复一个月。"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("judge", help="实时判定进程（直到 SIGTERM）")
        w = sub.add_parser("writer", help="从 NATS JetStream 总线消费报文写库（直到 SIGTERM）")
        w.add_argument("--bus-url", default=None, help="NATS 地址（默认取 LANTIAN_BUS_URL）")
        w.add_argument("--batch", type=int, default=2000, help="每批最多消息数")
        m = sub.add_parser("maintain", help="预建月分区、归档超期月份、核对近两日统计")
        m.add_argument("--loop", action="store_true", help="循环运行")
        m.add_argument("--every", type=float, default=3600.0, help="循环间隔（秒）")
        m.add_argument("--dir", help="归档目录（默认 var/archive 或 LANTIAN_ARCHIVE_DIR）")
        a = sub.add_parser("archive", help="归档超过保存期限的月份（Parquet + SHA-256）")
        a.add_argument("--dir", help="归档目录（默认 var/archive 或 LANTIAN_ARCHIVE_DIR）")
        a.add_argument("--month", help="只归档这个月（YYYY-MM），不论是否超期")
        a.add_argument("--dry-run", action="store_true", help="只列出将归档的月份")
        u = sub.add_parser("unarchive", help="把一个归档文件恢复回数据库")
        u.add_argument("path")

    def handle(self, *args, **options):
        return getattr(self, options["action"])(options)

    def judge(self, options):
        from monitoring.stream_judge import StreamJudge

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        judge = StreamJudge()
        self.stdout.write("实时判定已启动")
        self.stdout.flush()
        judge.run(lambda: stopping)
        self.stdout.write(f"已停止：报警 {len(judge.alarms)} 次")

    def writer(self, options):
        import asyncio

        from django.core.management.base import CommandError

        from monitoring.bus import BusConfig
        from monitoring.bus_writer import BusWriter

        config = BusConfig.from_env(options["bus_url"])
        if config is None:
            raise CommandError("未配置总线：请设置 LANTIAN_BUS_URL 或 --bus-url")
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        writer = BusWriter(config, batch=options["batch"])
        self.stdout.write(f"总线写库进程已启动（{config.url}）")
        self.stdout.flush()
        asyncio.run(writer.run(lambda: stopping))
        s = writer.stats
        self.stdout.write(
            f"已停止：消息 {s.messages}，批次 {s.batches}，写入 {s.inserted}/{s.rows} 行，"
            f"隔离 {s.quarantined}，重试 {s.retries}"
        )

    def maintain(self, options):
        from lantian.lib import daemon

        daemon.run(
            lambda: self._maintain_once(options), loop=options["loop"], every=options["every"]
        )

    def _maintain_once(self, options):
        import datetime as dt

        from lantian.lib import tz
        from monitoring import archive, partitions, rollups

        created = partitions.ensure()
        now = tz.now()
        # the safety net of the rollups: yesterday and today against their raw rows
        start = tz.start_of_local_day(tz.local_today() - dt.timedelta(days=1))
        if rollups.verify(start, now):
            rollups.rebuild(start, now + dt.timedelta(hours=1))
        done = archive.archive_due(options.get("dir"))
        self._report(done)
        self.stdout.write(f"新建分区 {len(created)} 个")

    def archive(self, options):
        import datetime as dt

        from django.core.management.base import CommandError

        from monitoring import archive, partitions

        if options["month"]:
            try:
                month = dt.datetime.strptime(options["month"], "%Y-%m")
            except ValueError:
                raise CommandError("--month 应为 YYYY-MM") from None
            due = [("monitoring_reading", partitions.month_start(month.year, month.month))]
        else:
            due = [(t, m) for t in partitions.TABLES for m in archive.due_months(t)]
        if options["dry_run"]:
            for table, start in due:
                self.stdout.write(f"{table} {start:%Y-%m}")
            return
        done = []
        for table, start in due:
            try:
                done.append(archive.archive_month(table, start, options.get("dir")))
            except archive.ArchiveRefused as err:
                done.append(err)
        self._report(done)
        if any(isinstance(d, Exception) for d in done):
            raise CommandError("部分月份未归档")

    def _report(self, done):
        for item in done:
            if isinstance(item, Exception):
                self.stderr.write(f"未归档：{item}")
            else:
                self.stdout.write(
                    f"已归档 {item.table} {item.month:%Y-%m}：{item.rows} 行 → {item.path}"
                    f"（SHA-256 {item.sha256[:16]}…）"
                )

    def unarchive(self, options):
        from django.core.management.base import CommandError

        from monitoring import archive

        try:
            rows = archive.unarchive(options["path"])
        except (archive.ArchiveRefused, OSError) as err:
            raise CommandError(str(err)) from None
        self.stdout.write(f"已恢复 {rows} 行")
