# Segmenting new photos with a finished model: `snakemake infer --config infer_images=...`
# (the listing and input functions are in rules/common.smk).
rule infer_chunk:
    input:
        model=infer_model,
    output:
        table="results/inference/chunks/{chunk}.tsv",
    log:
        "logs/infer/{chunk}.log",
    benchmark:
        "logs/benchmarks/infer/{chunk}.tsv"
    # On a cluster, the profile's group-components batches chunks into submissions.
    group:
        "infer"
    conda:
        "../envs/tensorflow.yaml"
    threads: 4
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        folder=config["infer_images"],
        names=infer_chunk_names,
        fingerprints=infer_chunk_fingerprints,
        # Test-time augmentation is predict's, so that test scores describe what infer does.
        segment=segment_fields(config, "infer"),
        out_dir=inference_folder,
    script:
        "../scripts/infer_chunk.py"


rule infer:
    input:
        tables=infer_chunk_tables,
    output:
        class_shares="results/inference/class_shares.tsv",
        failed="results/inference/failed.tsv",
        summary="results/inference/summary.tsv",
    log:
        "logs/infer.log",
    conda:
        "../envs/core.yaml"
    params:
        classes=config["classes"],
        out_dir=output_folder,
    script:
        "../scripts/infer.py"
