rule plots:
    input:
        history=rules.train.output.history,
    output:
        curves=report(
            "results/plots/training_curves.png",
            caption="../report/training_curves.rst",
            category="Training",
        ),
    log:
        "logs/plots.log",
    conda:
        "../envs/plots.yaml"
    script:
        "../scripts/plots.py"
