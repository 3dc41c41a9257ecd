rule train:
    input:
        train=shard_files("train"),
        val=shard_files("val"),
        encoder_weights=encoder_weights_file,
    output:
        model="results/model/model.keras",
        history="results/model/history.tsv",
        tensorboard=directory("results/model/tensorboard"),
        run="results/model/run.json",
    log:
        "logs/train.log",
    benchmark:
        "logs/benchmarks/train.tsv"
    conda:
        "../envs/tensorflow.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=240,
        gpu=config["train"]["gpu"],
    params:
        train=config["train"],
        num_classes=len(config["classes"]),
    script:
        "../scripts/train.py"
