# Experiments: variants of train and predict settings (config `experiments:`), each trained,
# predicted and scored under results/experiments/{experiment}/ on the same masks, splits and
# shards as the main run, and compared in one table and chart. Each variant's training is a
# job of its own, so a cluster profile runs them side by side (set-resources:
# experiment_train, as for train). The jobs run the same scripts as the main stages.
rule experiment_train:
    input:
        train=shard_files("train"),
        val=shard_files("val"),
        encoder_weights=experiment_encoder_weights,
    output:
        model="results/experiments/{experiment}/model/model.keras",
        history="results/experiments/{experiment}/model/history.tsv",
        tensorboard=directory("results/experiments/{experiment}/model/tensorboard"),
        run="results/experiments/{experiment}/model/run.json",
    log:
        "logs/experiments/{experiment}/train.log",
    benchmark:
        "logs/benchmarks/experiments/{experiment}/train.tsv"
    conda:
        "../envs/tensorflow.yaml"
    threads: 8
    resources:
        mem_mb=16000,
        runtime=240,
        gpu=lambda wildcards: experiment(wildcards)["train"]["gpu"],
    params:
        train=lambda wildcards: experiment(wildcards)["train"],
        num_classes=len(config["classes"]),
    script:
        "../scripts/train.py"


# Per chunk of the test split, as rules/predict.smk, with the experiment as a wildcard.
# Only the masks are written: the comparison is in numbers and one chart.
for chunk, members in PREDICT_CHUNKS.items():

    rule:
        name:
            f"experiment_predict_{chunk}"
        input:
            model="results/experiments/{experiment}/model/model.keras",
            images=[SAMPLE_FILES[sample]["image"] for sample in members],
            truth=mask_files(members),
            problems="results/dataset/problems.tsv",
        output:
            masks=expand(
                "results/experiments/{{experiment}}/predictions/{sample}.png",
                sample=members,
            ),
        log:
            f"logs/experiments/{{experiment}}/predict/{chunk}.log",
        benchmark:
            f"logs/benchmarks/experiments/{{experiment}}/predict/{chunk}.tsv"
        conda:
            "../envs/tensorflow.yaml"
        threads: 4
        resources:
            **chunk_resources("predict", mem_mb=8000, runtime=60),
        params:
            classes=config["classes"],
            batch_size=lambda wildcards: experiment(wildcards)["predict"]["batch_size"],
            max_pixels=config["images"]["max_pixels"],
            out_dir=output_folder,
            panels=False,
        script:
            "../scripts/predict.py"


rule experiment_evaluate:
    input:
        truth=mask_files(SPLITS["test"]),
        predictions=expand(
            "results/experiments/{{experiment}}/predictions/{sample}.png",
            sample=SPLITS["test"],
        ),
        problems="results/dataset/problems.tsv",
    output:
        per_class="results/experiments/{experiment}/metrics/per_class.tsv",
        summary="results/experiments/{experiment}/metrics/summary.tsv",
        confusion="results/experiments/{experiment}/metrics/confusion.tsv",
        per_image="results/experiments/{experiment}/metrics/per_image.tsv",
    log:
        "logs/experiments/{experiment}/evaluate.log",
    conda:
        "../envs/core.yaml"
    params:
        classes=config["classes"],
        samples=SPLITS["test"],
    script:
        "../scripts/evaluate.py"


rule experiments_summary:
    input:
        history=experiment_files("results/experiments/{experiment}/model/history.tsv"),
        run=experiment_files("results/experiments/{experiment}/model/run.json"),
        summary=experiment_files("results/experiments/{experiment}/metrics/summary.tsv"),
        per_class=experiment_files("results/experiments/{experiment}/metrics/per_class.tsv"),
    output:
        summary=report(
            "results/experiments/summary.tsv",
            caption="../report/experiments_table.rst",
            labels={"figure": "experiments table"},
            category="Experiments",
        ),
        chart=report(
            "results/experiments/comparison.png",
            caption="../report/experiments_chart.rst",
            labels={"figure": "experiments chart"},
            category="Experiments",
        ),
    log:
        "logs/experiments/summary.log",
    conda:
        "../envs/plots.yaml"
    params:
        names=list(EXPERIMENTS),
        overrides=[
            describe_overrides(overrides or {}) for overrides in config["experiments"].values()
        ],
    script:
        "../scripts/experiments.py"


rule experiments:
    input:
        rules.experiments_summary.output,
