from streetseg.inference.settings import segment_fields

# One job per chunk of predict.chunk_size test samples, defined in a loop as the mask jobs
# are (rules/masks.smk): a single job owning every prediction, panel and overlay made the
# dry run quadratic in the test split, because Snakemake scans a rule's outputs in order
# for every file it looks up (26 million comparisons at 10,000 samples; docs/benchmarks.md).
# Each job loads the model once and predicts its photos in batches.
for chunk, members in PREDICT_CHUNKS.items():

    rule:
        name:
            f"predict_{chunk}"
        input:
            model=rules.train.output.model,
            images=[SAMPLE_FILES[sample]["image"] for sample in members],
            truth=mask_files(members),
            problems="results/dataset/problems.tsv",
        output:
            masks=expand("results/predictions/{sample}.png", sample=members),
            panels=expand("results/predictions/{sample}_panel.png", sample=members),
            overlays=expand("results/predictions/{sample}_overlay.png", sample=members),
        log:
            f"logs/predict/{chunk}.log",
        benchmark:
            f"logs/benchmarks/predict/{chunk}.tsv"
        conda:
            "../envs/tensorflow.yaml"
        threads: 4
        resources:
            **chunk_resources("predict", mem_mb=8000, runtime=60),
        params:
            segment=segment_fields(config, "predict"),
            out_dir=output_folder,
        script:
            "../scripts/predict.py"
