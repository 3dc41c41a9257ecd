rule export:
    input:
        model=rules.train.output.model,
        dataset=rules.dataset.output.summary,
        metrics=rules.evaluate.output.summary,
        per_class=rules.evaluate.output.per_class,
    output:
        saved_model=directory("results/export/saved_model"),
        tflite=["results/export/model.tflite"] if config["export"]["tflite"] else [],
        card="results/export/model_card.md",
    log:
        "logs/export.log",
    benchmark:
        "logs/benchmarks/export.tsv"
    conda:
        "../envs/tensorflow.yaml"
    threads: 2
    resources:
        mem_mb=8000,
        runtime=30,
    params:
        classes=config["classes"],
        config=training_config(),
    script:
        "../scripts/export.py"
