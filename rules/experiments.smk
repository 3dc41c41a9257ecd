# Experiments: variants of train and predict settings (config `experiments:`), each trained,
# predicted and scored under results/experiments/{experiment}/ on the same masks, splits and
# shards as the main run, and compared in one table and chart. Each variant's training is a
# job of its own, so a cluster profile runs them side by side (set-resources:
# experiment_train, as for train); training runs the main train stage's script.
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


# One job per variant predicts and scores the whole test split, with the model of the
# first variant that has the same train settings (a predict-only variant trains nothing;
# its summary row repeats that training's time and history). Its inputs are the model
# and the problem table, which the mask jobs all feed, so new masks rerun it; the photos
# and masks are params. Per-file inputs and outputs here, as in the main predict and
# evaluate rules, cost each variant ~0.1 s of DAG building at 1,000 samples (~2x the dry
# run at 20 variants; docs/benchmarks.md, P11).
rule experiment_evaluate:
    input:
        model=experiment_model,
        problems="results/dataset/problems.tsv",
    output:
        predictions=directory("results/experiments/{experiment}/predictions"),
        per_class="results/experiments/{experiment}/metrics/per_class.tsv",
        summary="results/experiments/{experiment}/metrics/summary.tsv",
        confusion="results/experiments/{experiment}/metrics/confusion.tsv",
        per_image="results/experiments/{experiment}/metrics/per_image.tsv",
    log:
        "logs/experiments/{experiment}/evaluate.log",
    benchmark:
        "logs/benchmarks/experiments/{experiment}/evaluate.tsv"
    conda:
        "../envs/tensorflow.yaml"
    threads: 4
    resources:
        mem_mb=8000,
        runtime=120,
    params:
        samples=SPLITS["test"],
        images=[SAMPLE_FILES[sample]["image"] for sample in SPLITS["test"]],
        truth=mask_files(SPLITS["test"]),
        # Masks only: the experiments draw no panels.
        segment=lambda wildcards: segment_fields(experiment(wildcards), "predict", False),
    script:
        "../scripts/experiment_evaluate.py"


rule experiments_summary:
    input:
        history=experiment_files("results/experiments/{experiment}/model/history.tsv", trained=True),
        run=experiment_files("results/experiments/{experiment}/model/run.json", trained=True),
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
