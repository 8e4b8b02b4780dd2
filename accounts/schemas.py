from ninja import Schema


class UnitOut(Schema):
    id: int
    name: str
    full_name: str
    kind: str
    city: str
    district: str | None

    @staticmethod
    def resolve_city(obj) -> str:
        return obj.city.name

    @staticmethod
    def resolve_district(obj) -> str | None:
        return obj.district.name if obj.district_id else None
