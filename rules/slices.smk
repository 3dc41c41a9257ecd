from streetseg.labels.formats.registry import companion_files
from streetseg.labels.slices import SLICE_SUFFIX
from streetseg.labels.slicing import find_exports, member_rows

# Multi-image exports (CVAT, COCO, Labelbox, Label Studio, Azure ML; a file that two or more
# samples name), each read once by its own job into one slice per mask chunk, so that a mask
# job reads its slice, never the whole export (streetseg/labels/slicing.py).
EXPORTS = find_exports(SAMPLE_FILES, MASK_CHUNKS)
# Sample -> the id of the export it is sliced from.
SLICED = {
    sample: export.id
    for export in EXPORTS.values()
    for members in export.chunks.values()
    for sample in members
}


def slice_file(export_id, chunk):
    return f"results/slices/{export_id}/{chunk}{SLICE_SUFFIX}"


def digest_file(export_id, chunk):
    return f"results/slices/{export_id}/{chunk}.sha256"


def mask_annotations(chunk, members):
    """What a mask job reads for each sample: its slice (ancient: see slice_digests), or
    its own annotation file."""
    return [
        ancient(slice_file(SLICED[sample], chunk))
        if sample in SLICED
        else SAMPLE_FILES[sample]["annotation"]
        for sample in members
    ]


def slice_digests(chunk):
    """The digests of a mask chunk's slices, through the slice checkpoints: after a slice job
    ran, Snakemake looks at the chunk again and compares each digest by checksum, so a chunk
    whose slices did not change keeps its masks. An empty list for a chunk of per-image files."""
    ids = [export.id for export in EXPORTS.values() if chunk in export.chunks]
    if not ids:
        return []

    def digests(wildcards):
        for export_id in ids:
            getattr(checkpoints, f"slices_{export_id}").get()
        return [digest_file(export_id, chunk) for export_id in ids]

    return digests


# Which images each slice holds: a param of this one rule, not of the slice jobs, whose
# every output would carry a copy in Snakemake's records.
rule slices_members:
    output:
        "results/slices/members.tsv",
    log:
        "logs/slices/members.log",
    conda:
        "../envs/core.yaml"
    params:
        rows=member_rows(EXPORTS, SAMPLE_FILES),
    script:
        "../scripts/slices_members.py"


# One job per export. A checkpoint, so that the mask jobs are looked at again once it ran:
# an edit to one image's annotation reruns the chunk of that image only.
for export in EXPORTS.values():

    checkpoint:
        name:
            f"slices_{export.id}"
        input:
            export=export.path,
            members=rules.slices_members.output[0],
            # Files the export's reader opens beside it (Labelbox mask PNGs).
            companions=companion_files(
                (export.path, os.path.basename(SAMPLE_FILES[sample]["image"]))
                for members in export.chunks.values()
                for sample in members
            ),
        output:
            slices=[slice_file(export.id, chunk) for chunk in export.chunks],
            digests=[digest_file(export.id, chunk) for chunk in export.chunks],
        log:
            f"logs/slices/{export.id}.log",
        benchmark:
            f"logs/benchmarks/slices/{export.id}.tsv"
        conda:
            "../envs/core.yaml"
        threads: 1
        resources:
            # A parsed export takes several times its file's size (docs/benchmarks.md, P9).
            **chunk_resources(
                "slices", mem_mb=1000 + 8 * os.path.getsize(export.path) // 2**20, runtime=60
            ),
        params:
            export=export.path,
            format=config["annotations"]["format"],
        script:
            "../scripts/slices.py"
