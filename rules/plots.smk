# The report's first page: report/workflow.rst with the headline figures, once this stage
# wrote them (`snakemake --report` reads the Snakefile after the run).
REPORT_TEXT = "results/report/workflow.rst"
REPORT_PAGE = os.path.abspath(REPORT_TEXT) if os.path.exists(REPORT_TEXT) else "report/workflow.rst"


rule plots:
    input:
        history=rules.train.output.history,
        per_class=rules.evaluate.output.per_class,
        summary=rules.evaluate.output.summary,
        confusion=rules.evaluate.output.confusion,
        per_image=rules.evaluate.output.per_image,
        dataset=rules.dataset.output.summary,
    output:
        curves=report(
            "results/plots/training_curves.png",
            caption="../report/training_curves.rst",
            labels={"figure": "training curves"},
            category="Training",
        ),
        per_class=report(
            "results/plots/per_class_iou.png",
            caption="../report/per_class_chart.rst",
            labels={"figure": "per-class IoU"},
            category="Per class",
        ),
        confusion=report(
            "results/plots/confusion.png",
            caption="../report/confusion.rst",
            labels={"figure": "confusion heatmap"},
            category="Per class",
        ),
        class_shares=report(
            "results/plots/class_shares.png",
            caption="../report/class_shares.rst",
            labels={"figure": "class shares chart"},
            category="Dataset",
        ),
        per_image=report(
            "results/plots/per_image_miou.png",
            caption="../report/per_image_chart.rst",
            category="Predictions",
            labels={"figure": "per-image mIoU"},
        ),
        metrics_tables=report(
            "results/report/metrics.html",
            caption="../report/metrics_tables.rst",
            category="Metrics",
            labels={"figure": "metrics tables"},
        ),
        dataset_table=report(
            "results/report/dataset.html",
            caption="../report/dataset.rst",
            category="Dataset",
            labels={"figure": "class shares table"},
        ),
    log:
        "logs/plots.log",
    conda:
        "../envs/plots.yaml"
    params:
        classes=config["classes"],
    script:
        "../scripts/plots.py"


rule plots_gallery:
    input:
        panels=prediction_files("_panel"),
        # A plain path for the reason given in rules/dataset.smk.
        per_image="results/metrics/per_image.tsv",
    output:
        gallery=report(
            directory("results/report/gallery"),
            patterns=["{sample}.png"],
            caption="../report/panels.rst",
            category="Predictions",
            subcategory="All test images",
            labels={"sample": "{sample}"},
        ),
        best=report(
            directory("results/report/best"),
            patterns=["{sample}.png"],
            caption="../report/best.rst",
            category="Predictions",
            subcategory="Best images",
            labels={"sample": "{sample}"},
        ),
        worst=report(
            directory("results/report/worst"),
            patterns=["{sample}.png"],
            caption="../report/worst.rst",
            category="Predictions",
            subcategory="Worst images",
            labels={"sample": "{sample}"},
        ),
    log:
        "logs/plots_gallery.log",
    conda:
        "../envs/plots.yaml"
    params:
        samples=SPLITS["test"],
    script:
        "../scripts/plots_gallery.py"


rule plots_config:
    output:
        config=report(
            "results/report/config.yaml",
            caption="../report/config.rst",
            labels={"figure": "configuration"},
            category="Run",
        ),
    log:
        "logs/plots_config.log",
    conda:
        "../envs/plots.yaml"
    params:
        config=training_config(),
    script:
        "../scripts/plots_config.py"


# The report's first page (Snakefile `report:`): report/workflow.rst and the headline figures.
rule plots_report_text:
    input:
        # In the workflow's folder, never in default remote storage.
        template=local(f"{workflow.basedir}/report/workflow.rst"),
        summary=rules.evaluate.output.summary,
        per_class=rules.evaluate.output.per_class,
    output:
        text=REPORT_TEXT,
    log:
        "logs/plots_report_text.log",
    conda:
        "../envs/plots.yaml"
    script:
        "../scripts/plots_report_text.py"
