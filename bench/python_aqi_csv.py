"""The other side of ``bench/aqi.py``: a python-aqi script doing what ``lantian aqi compute`` does.

    python bench/python_aqi_csv.py < daily.csv > out.csv

Reads a daily CSV (time, pm25, pm10, so2, no2, co, o3_8h) with the ``csv`` module, computes each
row's AQI with python-aqi (``ALGO_MEP``, the Chinese method) and writes the row with its AQI, as
a person who picked that library would. Rows python-aqi cannot compute get an empty AQI.
"""

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]  # our aqi.py is not it

import aqi  # noqa: E402
from aqi import constants  # noqa: E402

KEYS = {
    "pm25": constants.POLLUTANT_PM25,
    "pm10": constants.POLLUTANT_PM10,
    "so2": constants.POLLUTANT_SO2_24H,
    "no2": constants.POLLUTANT_NO2_24H,
    "co": constants.POLLUTANT_CO_24H,
    "o3_8h": constants.POLLUTANT_O3_8H,
}


def main() -> int:
    reader = csv.reader(sys.stdin)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    header = next(reader)
    writer.writerow([*header, "aqi"])
    columns = [(i, KEYS[name]) for i, name in enumerate(header) if name in KEYS]
    for row in reader:
        try:
            value = aqi.to_aqi([(key, row[i]) for i, key in columns], algo=aqi.ALGO_MEP)
        except Exception:  # it raises above its tables
            value = ""
        writer.writerow([*row, value])
    return 0


if __name__ == "__main__":
    sys.exit(main())
