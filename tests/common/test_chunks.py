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


def test_a_refused_sample_holds_its_place_so_fixing_it_moves_no_other_sample():
    # "b" was refused while listing (a bad file early in sort order); when it is fixed it
    # joins its own chunk and every other chunk keeps its members.
    from streetseg.common.problems import Problem

    refused = [Problem("b", "data/b.xml", "", "malformed XML"), Problem("", "data/x.json", "", "?")]
    before = chunk_ids(["a", "c", "d", "e", "f"], 2, refused)
    after = chunk_ids(["a", "b", "c", "d", "e", "f"], 2)
    assert before == {"00000": ["a"], "00001": ["c", "d"], "00002": ["e", "f"]}
    assert after == {"00000": ["a", "b"], "00001": ["c", "d"], "00002": ["e", "f"]}
    # A chunk whose places are all refused has no job.
    assert chunk_ids(["c"], 2, [Problem("a", "", "", ""), Problem("b", "", "", "")]) == {
        "00001": ["c"]
    }
