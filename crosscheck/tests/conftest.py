"""Cross-checks join the ledger, monitoring and emergency: reuse their fixtures."""

from emergency.tests.conftest import city, small_episode  # noqa: F401
from ledger.tests.conftest import fume_line, huyi_line, lintong_line, plan  # noqa: F401
from monitoring.tests.conftest import devices, site  # noqa: F401
