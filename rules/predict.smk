rule predict:
    input:
        model=rules.train.output.model,
        shards=shard_files("test"),
    output:
        masks=expand("results/predictions/{sample}.png", sample=SPLITS["test"]),
        panels=expand("results/predictions/{sample}_panel.png", sample=SPLITS["test"]),
        overlays=expand("results/predictions/{sample}_overlay.png", sample=SPLITS["test"]),
    log:
        "logs/predict.log",
    benchmark:
        "logs/benchmarks/predict.tsv"
    conda:
        "../envs/tensorflow.yaml"
    threads: 4
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        classes=config["classes"],
        batch_size=config["predict"]["batch_size"],
        out_dir=output_folder,
    script:
        "../scripts/predict.py"
