from streetseg.labels.formats.registry import companion_files
from streetseg.labels.slicing import member_rows


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
        # Digests first: a mask job waiting for this checkpoint stands on its first output,
        # which must not be one of the (ancient) slices, or a dry run would leave it out.
        output:
            digests=[DIGEST_FILE.format(export.id, chunk) for chunk in export.chunks],
            slices=[SLICE_FILE.format(export.id, chunk) for chunk in export.chunks],
        log:
            f"logs/slices/{export.id}.log",
        benchmark:
            f"logs/benchmarks/slices/{export.id}.tsv"
        conda:
            "../envs/core.yaml"
        threads: 1
        resources:
            # A loaded COCO document takes about 7.6 times its file's size; a CVAT export is
            # read in batches of 10,000 images (docs/benchmarks.md, P9).
            **chunk_resources(
                "slices", mem_mb=2000 + 8 * os.path.getsize(export.path) // 2**20, runtime=60
            ),
        params:
            export=export.path,
            format=config["annotations"]["format"],
        script:
            "../scripts/slices.py"
