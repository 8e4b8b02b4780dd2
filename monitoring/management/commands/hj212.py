"""``lantian hj212 parse|serve|simulate``: the HJ 212 codec, gateway and device simulator."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from monitoring.hj212.cli import add_parse_arguments


class Command(BaseCommand):
    help = "HJ 212：parse 解析报文（每行一帧，输出 JSON）；serve 运行接入网关；simulate 模拟设备。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("parse", help="从标准输入逐行解析报文，每行输出一个 JSON")
        add_parse_arguments(p)

        s = sub.add_parser("serve", help="运行 HJ 212 接入网关（TCP）")
        s.add_argument("--host", default="0.0.0.0")
        s.add_argument("--port", type=int, default=9212)
        s.add_argument("--max-connections", type=int, default=20000)
        s.add_argument(
            "--idle-timeout", type=float, default=300.0, help="已识别设备至少保持的空闲秒数"
        )
        s.add_argument(
            "--idle-intervals",
            type=float,
            default=3.0,
            help="已识别设备空闲超过其上传间隔的多少倍即断开（不少于 --idle-timeout）",
        )
        s.add_argument(
            "--handshake-timeout", type=float, default=60.0, help="未发来有效报文的连接保持秒数"
        )
        s.add_argument("--max-per-address", type=int, default=256, help="每个 IP 地址的连接上限")
        s.add_argument(
            "--quarantine-rate", type=float, default=2.0, help="每个地址每秒可写入隔离的帧数"
        )
        s.add_argument("--quarantine-burst", type=int, default=20, help="隔离写入的突发上限")
        s.add_argument(
            "--quarantine-bytes", type=int, default=1024, help="每帧隔离保存的最大字节数"
        )
        s.add_argument("--batch-size", type=int, default=5000)
        s.add_argument("--batch-delay", type=float, default=0.02, help="秒")
        s.add_argument("--max-pending", type=int, default=50000)
        s.add_argument(
            "--judge-every",
            type=float,
            default=0.0,
            help="每隔多少秒在写库线程中判定刚上传数据的设备；默认 0：由 checkdevices 判定",
        )
        s.add_argument(
            "--bus-url",
            default=None,
            help="NATS JetStream 地址（默认取 LANTIAN_BUS_URL）；设置后发布到总线，由 writer 写库",
        )
        s.add_argument(
            "--command-timeout",
            type=float,
            default=10.0,
            help="反控命令等待请求应答（9011）的秒数，超时重发（HJ 212-2017 表1：GPRS/4G 10 秒）",
        )
        s.add_argument("--command-retries", type=int, default=3, help="反控命令重发次数（表1：3）")
        s.add_argument(
            "--command-execution",
            type=float,
            default=60.0,
            help="设备应答后等待执行结果（9012）的秒数（自其最近一次发来相关报文起）",
        )
        s.add_argument(
            "--clock-drift",
            type=float,
            default=120.0,
            help="实时数据的数据时间与接收时间连续 3 帧相差超过该秒数即自动校时；0 为不校时",
        )
        s.add_argument(
            "--workers",
            type=int,
            default=0,
            help="工作进程数（共享监听端口，各自写库）；默认 0：每个 CPU 一个",
        )

        m = sub.add_parser("simulate", help="模拟 N 台设备连接网关发送数据")
        m.add_argument("--devices", type=int, default=10)
        m.add_argument("--rate", type=float, default=10.0, help="全部设备合计每秒上传帧数")
        m.add_argument("--host", default="127.0.0.1")
        m.add_argument("--port", type=int, default=9212)
        m.add_argument("--count", type=int, help="每台设备上传帧数（默认持续运行）")
        m.add_argument("--duration", type=float, help="运行秒数")
        m.add_argument("--mix", default="mixed", help="dust | fume | emission | mixed")
        m.add_argument("--prefix", default="SIM")
        m.add_argument("--start", help="首帧数据时间（北京时间 YYYYmmddHHMMSS）")
        m.add_argument("--step", type=float, default=60.0, help="相邻两帧数据时间间隔（秒）")
        m.add_argument("--exceed", action="append", default=[], help="超标：选择器:倍数，如 dust:3")
        m.add_argument(
            "--faults",
            action="append",
            default=[],
            help="故障：bad_crc=0.01,split=0.1,pnum=0.1,duplicate=0.05,offline=0.1,flatline=0.1,garbage=0.01",
        )
        m.add_argument(
            "--sm4-key",
            metavar="HEX",
            help="按 HJ 212-2025 以该 SM4 密钥加密数据区（32 位十六进制或 16 个字符）",
        )
        m.add_argument("--register", action="store_true", help="先在数据库登记这些模拟设备")
        m.add_argument("--district", default="鄠邑区", help="--register 时点位所在区县")

        k = sub.add_parser("key", help="设备 SM4 密钥登记簿：add 登记、list 查看、revoke 停用")
        keys = k.add_subparsers(dest="key_action", required=True)
        add = keys.add_parser("add", help="登记新密钥（从标准输入读一行，不回显、不存明文）")
        add.add_argument("mn", help="设备编号 MN")
        add.add_argument("--from", dest="valid_from", help="启用时间（北京时间 YYYY-MM-DD HH:MM）")
        show = keys.add_parser("list", help="列出密钥（只显示指纹与状态）")
        show.add_argument("mn", nargs="?", help="设备编号 MN（默认全部）")
        stop = keys.add_parser("revoke", help="立即停用一把密钥")
        stop.add_argument("mn")
        stop.add_argument("fingerprint", help="密钥指纹（8 位）")
        stop.add_argument("--reason", default="")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "parse":
            return self.parse(options)
        if action == "serve":
            return self.serve(options)
        if action == "key":
            return self.key(options)
        return self.simulate(options)

    def parse(self, options):
        from monitoring.hj212.cli import parse_keys, parse_lines

        try:
            keys = parse_keys(options["sm4_key"])
        except ValueError as err:
            raise CommandError(str(err)) from None
        parse_lines(sys.stdin.buffer, sys.stdout, options["profile"], keys)

    def serve(self, options):
        import socket

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        sock = socket.socket(socket.AF_INET6 if ":" in options["host"] else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((options["host"], options["port"]))
        sock.listen(4096)
        sock.setblocking(False)
        port = sock.getsockname()[1]
        # one process is bound to one core (the GIL): a machine's cores each get a worker
        workers = options["workers"] if options["workers"] > 0 else (os.cpu_count() or 1)
        if workers == 1:
            self.stdout.write(f"HJ 212 网关监听 {options['host']}:{port}{_via(options)}")
            self.stdout.flush()
            self._run_gateway(options, sock)
            return
        self._run_workers(options, sock, port, workers)

    def _run_gateway(self, options, sock):
        from monitoring.bus import BusConfig, Publisher
        from monitoring.gateway import Gateway

        config = BusConfig.from_env(options["bus_url"])
        gateway = Gateway(
            options["host"],
            options["port"],
            max_connections=options["max_connections"],
            idle_timeout=options["idle_timeout"],
            batch_size=options["batch_size"],
            batch_delay=options["batch_delay"],
            max_pending=options["max_pending"],
            judge_every=options["judge_every"],
            max_per_address=options["max_per_address"],
            handshake_timeout=options["handshake_timeout"],
            idle_intervals=options["idle_intervals"],
            quarantine_rate=options["quarantine_rate"],
            quarantine_burst=options["quarantine_burst"],
            quarantine_bytes=options["quarantine_bytes"],
            bus=Publisher(config) if config else None,
            command_timeout=options["command_timeout"],
            command_retries=options["command_retries"],
            command_execution=options["command_execution"],
            clock_drift=options["clock_drift"] or None,
        )

        async def main():
            await gateway.start(sock=sock)
            await gateway.serve_until_stopped()

        asyncio.run(main())
        s = gateway.stats
        self.stdout.write(
            f"已停止：帧 {s.frames}，上传 {s.uploads}，重复 {s.duplicates}，应答 {s.acked}，"
            f"隔离 {s.quarantined}，写入 {s.inserted} 行，总线拒收 {s.bus_refused}"
        )
        self.stdout.flush()

    def _run_workers(self, options, sock, port, workers):
        """Fork workers that accept on the shared socket; forward SIGTERM/SIGINT to them."""
        import os
        import signal

        from django.db import connections

        connections.close_all()
        children = []
        for _ in range(workers):
            pid = os.fork()
            if pid == 0:  # a worker: its own event loop, writer thread and database connection
                try:
                    self._run_gateway(options, sock)
                finally:
                    os._exit(0)
            children.append(pid)
        self.stdout.write(
            f"HJ 212 网关监听 {options['host']}:{port}（{workers} 个工作进程）{_via(options)}"
        )
        self.stdout.flush()

        def forward(signum, frame):
            for child in children:
                try:
                    os.kill(child, signal.SIGTERM)
                except ProcessLookupError:
                    pass

        signal.signal(signal.SIGTERM, forward)
        signal.signal(signal.SIGINT, forward)
        for child in children:
            while True:
                try:
                    os.waitpid(child, 0)
                    break
                except InterruptedError:
                    continue
                except ChildProcessError:
                    break

    def key(self, options):
        from monitoring import key_commands

        try:
            key_commands.run(options, sys.stdin, self.stdout)
        except ValueError as err:
            raise CommandError(str(err)) from None

    def simulate(self, options):
        from monitoring import simulator

        devices = simulator.make_fleet(
            options["devices"], prefix=options["prefix"], mix=options["mix"]
        )
        try:
            faults = simulator.apply_specs(devices, options["exceed"], options["faults"])
        except ValueError as err:
            raise CommandError(str(err)) from None
        if options["sm4_key"]:
            from monitoring.hj212.sm4 import parse_key

            try:
                key = parse_key(options["sm4_key"])
            except ValueError as err:
                raise CommandError(f"--sm4-key：{err}") from None
            for device in devices:
                device.sm4_key = key
        if options["register"]:
            from monitoring.services import register_fleet

            created = register_fleet(devices, district=options["district"], acting_user=None)
            self.stdout.write(f"已登记 {created} 台模拟设备")
        if options["count"] == 0:
            return
        start = None
        if options["start"]:
            start = dt.datetime.strptime(options["start"], "%Y%m%d%H%M%S").replace(
                tzinfo=simulator.BEIJING
            )
        opts = simulator.Options(
            host=options["host"],
            port=options["port"],
            rate=options["rate"],
            count=options["count"],
            duration=options["duration"],
            start=start,
            step=options["step"],
            faults=faults,
        )
        if opts.count is None and opts.duration is None:
            opts.duration = 3600 * 24 * 365
        report = asyncio.run(simulator.simulate(devices, opts))
        self.stdout.write(json.dumps(report.summary(), ensure_ascii=False))


def _via(options) -> str:
    from monitoring.bus import BusConfig

    config = BusConfig.from_env(options["bus_url"])
    return f"，经总线 {config.url}" if config else ""
