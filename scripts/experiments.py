"""Snakemake adapter: compare the experiments in one table and one chart
(streetseg.evaluation.experiments, streetseg.report.experiments)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.evaluation.experiments import write_experiment_summary
from streetseg.report.experiments import plot_experiments

table = write_experiment_summary(
    [
        {
            "name": name,
            "overrides": overrides,
            "history_path": history,
            "run_path": run,
            "summary_path": summary,
            "per_class_path": per_class,
        }
        for name, overrides, history, run, summary, per_class in zip(
            snakemake.params.names,
            snakemake.params.overrides,
            snakemake.input.history,
            snakemake.input.run,
            snakemake.input.summary,
            snakemake.input.per_class,
        )
    ],
    snakemake.output.summary,
)
plot_experiments(snakemake.output.summary, snakemake.output.chart)
print(table.drop(columns=["machine"]).to_string(index=False))
