"""经度、纬度 as typed in a workbook: decimal degrees, both or neither.

Shared by the imports that carry places (monitoring sites, the reduction list's enterprises)
so that both refuse the same mistakes with the same words. Pure.
"""

from __future__ import annotations


def parse(lon, lat) -> tuple[float, float] | None:
    """``(longitude, latitude)``, None when both are blank; ``ValueError`` with the reason (in
    Chinese) for one of them alone, text, values out of range or swapped columns."""
    texts = [str(v).strip() if v is not None else "" for v in (lon, lat)]
    if not any(texts):
        return None
    try:
        x, y = (float(t) for t in texts)
    except ValueError:
        raise ValueError("经度、纬度须同时填写十进制度数（如 108.94、34.26）") from None
    if 73 <= y <= 136 and 3 <= x <= 54:  # China's longitudes in the latitude column
        raise ValueError("经度、纬度疑似填反（经度约 73～135，纬度约 3～54）")
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        raise ValueError(f"经纬度「{texts[0]}，{texts[1]}」超出范围")
    return x, y
