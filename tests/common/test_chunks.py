"""Chunks: consecutive runs of the sorted ids or images, as many as the size asks for."""

import pytest

from streetseg.common.chunks import chunk_ids, chunk_members, chunk_names


def test_chunks_are_consecutive_runs_of_the_sorted_ids():
    assert chunk_ids(["c", "a", "e", "b", "d"], 2) == {
        "00000": ["a", "b"],
        "00001": ["c", "d"],
        "00002": ["e"],
    }
    assert chunk_ids([], 3) == {}
    with pytest.raises(ValueError, match="chunk_size must be at least 1"):
        chunk_ids(["a"], 0)


@pytest.mark.parametrize(
    ("count", "size", "chunks"),
    [(0, 10, 0), (1, 10, 1), (10, 10, 1), (11, 10, 2), (100_000, 1000, 100), (100_001, 1000, 101)],
)
def test_chunk_count_is_the_image_count_over_the_chunk_size_rounded_up(count, size, chunks):
    assert len(chunk_names(count, size)) == chunks


def test_chunks_are_consecutive_and_cover_every_image_once():
    images = [f"img{index:02d}.jpg" for index in range(25)]
    names = chunk_names(len(images), 10)
    assert names == ["00000", "00001", "00002"]
    members = [chunk_members(images, name, 10) for name in names]
    assert [len(m) for m in members] == [10, 10, 5] and sum(members, []) == images
