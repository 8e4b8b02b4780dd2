"""Fingerprint evidence photos once and compare each new one with all the others, once.

The sweep calls ``refresh`` before the rules: every image attached as evidence gets a
``PhotoPrint`` (EXIF time, GPS, software, window hashes); each print not yet compared is
matched against all prints by hash distance, and each candidate pair is compared pixel by
pixel (``photos.same_photo``) into a ``PhotoMatch``. A city's year of photos costs one pass;
each later sweep only the new ones.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

from crosscheck import photos
from crosscheck.models import PhotoMatch, PhotoPrint
from crosscheck.thresholds import Thresholds

log = logging.getLogger("lantian.crosscheck")


def _bytes(evidence) -> bytes | None:
    try:
        with evidence.file.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):
        return None


def fingerprint_new() -> int:
    from evidence.models import EvidenceFile

    count = 0
    for evidence in EvidenceFile.objects.filter(kind="image", photo_print__isnull=True).iterator():
        data = _bytes(evidence)
        facts = photos.read(data) if data else None
        if facts is None:
            PhotoPrint.objects.get_or_create(evidence=evidence, defaults={"readable": False})
            continue
        PhotoPrint.objects.get_or_create(
            evidence=evidence,
            defaults={
                "taken_at": facts.taken_at,
                "latitude": facts.latitude,
                "longitude": facts.longitude,
                "software": facts.software,
                "camera": facts.camera,
                "width": facts.width,
                "height": facts.height,
                "hashes": list(facts.hashes),
            },
        )
        count += 1
    return count


def match_new(th: Thresholds) -> int:
    prints = PhotoPrint.objects.filter(readable=True)
    every = dict(prints.values_list("pk", "hashes"))
    every = {k: tuple(v) for k, v in every.items()}
    new = {pk: every[pk] for pk in prints.filter(compared=False).values_list("pk", flat=True)}
    if not new:
        return 0
    pairs = photos.close_pairs(new, every, th.photo_candidate_bits)
    known = set(PhotoMatch.objects.filter(a_id__in=list(new)).values_list("a_id", "b_id")) | set(
        PhotoMatch.objects.filter(b_id__in=list(new)).values_list("a_id", "b_id")
    )
    todo = sorted(pairs - known)
    wanted = {k for pair in todo for k in pair}
    by_id = {p.pk: p for p in prints.filter(pk__in=wanted).select_related("evidence")}
    images: dict[int, object] = {}

    def image(pk: int):
        if pk not in images:
            data = _bytes(by_id[pk].evidence)
            opened = photos.open_image(data) if data else None
            images[pk] = photos.prepare(opened) if opened is not None else None
        return images[pk]

    matches = []
    for a, b in todo:
        if by_id[a].evidence.sha256 == by_id[b].evidence.sha256:
            score = 1.0
        else:
            first, second = image(a), image(b)
            if first is None or second is None:
                continue
            score = photos.same_photo(first, second, screen=th.photo_screen_score)
        matches.append(PhotoMatch(a_id=a, b_id=b, score=score))
    with transaction.atomic():
        PhotoMatch.objects.bulk_create(matches, ignore_conflicts=True)
        PhotoPrint.objects.filter(pk__in=list(new)).update(compared=True)
    return len(matches)


def refresh(th: Thresholds) -> None:
    fingerprint_new()
    match_new(th)


def same_pairs(th: Thresholds, print_ids: Iterable[int] | None = None) -> list[tuple[int, int]]:
    """Pairs of evidence files (ids) that are one picture."""
    matches = PhotoMatch.objects.filter(score__gte=th.photo_same_score)
    if print_ids is not None:
        ids = list(print_ids)
        matches = matches.filter(a_id__in=ids, b_id__in=ids)
    return list(matches.values_list("a__evidence_id", "b__evidence_id"))
