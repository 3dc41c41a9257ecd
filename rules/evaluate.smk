rule evaluate:
    input:
        truth=mask_files(SPLITS["test"]),
        predictions=prediction_files(),
        problems="results/dataset/problems.tsv",
    output:
        per_class=report(
            "results/metrics/per_class.tsv",
            caption="../report/per_class.rst",
            labels={"figure": "per-class table"},
            category="Metrics",
        ),
        summary=report(
            "results/metrics/summary.tsv",
            caption="../report/summary.rst",
            labels={"figure": "summary table"},
            category="Metrics",
        ),
        confusion=report(
            "results/metrics/confusion.tsv",
            caption="../report/confusion_table.rst",
            labels={"figure": "confusion table"},
            category="Metrics",
        ),
        per_image=report(
            "results/metrics/per_image.tsv",
            caption="../report/per_image.rst",
            labels={"figure": "per-image table"},
            category="Metrics",
        ),
    log:
        "logs/evaluate.log",
    conda:
        "../envs/core.yaml"
    params:
        classes=config["classes"],
        samples=SPLITS["test"],
    script:
        "../scripts/evaluate.py"
