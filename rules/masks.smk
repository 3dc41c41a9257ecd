# One job per chunk of masks.chunk_size samples (consecutive in sorted sample order), each
# writing one mask per sample, one statistics table (a row per good sample) and one problem
# table (a row per bad sample, whose mask ignores every pixel) per chunk, so that a bad
# sample never fails the good ones beside it. A job per sample would spend ~0.3 s
# starting Python for ~10 ms of work (docs/benchmarks.md, P1). The rules are defined in a
# loop because a rule's output list cannot depend on a wildcard; each chunk rule has fixed
# outputs, so `snakemake results/masks/<sample>.png` and incremental reruns work per chunk.
for chunk, members in MASK_CHUNKS.items():

    rule:
        name:
            f"masks_{chunk}"
        input:
            # Each sample's annotation file, or its slice of a multi-image export.
            annotations=mask_annotations(chunk, members),
            digests=slice_digests(chunk),
            images=[SAMPLE_FILES[sample]["image"] for sample in members],
            # Files read beside the annotations (a CVAT mask's labelmap.txt).
            companions=companion_files(
                (
                    SAMPLE_FILES[sample]["annotation"],
                    os.path.basename(SAMPLE_FILES[sample]["image"]),
                )
                for sample in members
                if sample not in SLICED
            ),
        output:
            masks=mask_files(members),
            stats=f"results/masks/stats/{chunk}.tsv",
            problems=f"results/masks/problems/{chunk}.tsv",
        log:
            f"logs/masks/{chunk}.log",
        benchmark:
            f"logs/benchmarks/masks/{chunk}.tsv"
        # On a cluster, the profile's group-components batches mask jobs into submissions.
        group:
            "masks"
        conda:
            "../envs/core.yaml"
        threads: 1
        resources:
            **chunk_resources("masks", mem_mb=2000, runtime=30),
        params:
            classes=config["classes"],
            labels={**config["labels"], "unannotated": UNANNOTATED},
            annotations=config["annotations"],
            max_pixels=config["images"]["max_pixels"],
        script:
            "../scripts/masks.py"
