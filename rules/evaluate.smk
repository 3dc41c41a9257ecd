rule evaluate:
    input:
        truth=expand(rules.masks.output.mask, sample=SPLITS["test"]),
        predictions=rules.predict.output.masks,
    output:
        per_class=report(
            "results/metrics/per_class.tsv",
            caption="../report/per_class.rst",
            category="Metrics",
        ),
        summary=report(
            "results/metrics/summary.tsv",
            caption="../report/summary.rst",
            category="Metrics",
        ),
        confusion="results/metrics/confusion.tsv",
    log:
        "logs/evaluate.log",
    conda:
        "../envs/core.yaml"
    params:
        classes=config["classes"],
    script:
        "../scripts/evaluate.py"
