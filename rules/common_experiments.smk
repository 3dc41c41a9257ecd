import jsonschema

from streetseg.common.overrides import experiment_configs, training_sources

# Experiments (rules/experiments.smk): name -> the base config with its overrides merged in.
# The schema is read once: validate() would read it again for every variant. The base config
# already holds every default, so the merged variants need none filled in.
CONFIG_VALIDATOR = jsonschema.validators.validator_for(CONFIG_SCHEMA)(CONFIG_SCHEMA)


def check_variant(variant):
    """An experiment's merged config passes the schema, and its model fits its input."""
    CONFIG_VALIDATOR.validate(variant)
    check_model_input(variant["train"])


try:
    # All bad variants are named in one message before any job.
    EXPERIMENTS = experiment_configs(config, check_variant, SAFE_SAMPLE_ID)
except ValueError as problem:
    stop(problem)
# Variants that differ only under predict score the model of the first with their training.
TRAINED_BY = training_sources(EXPERIMENTS)


def experiment(wildcards):
    """The merged config of the experiment a job belongs to."""
    return EXPERIMENTS[wildcards.experiment]


def experiment_files(pattern, trained=False):
    """``pattern`` (with an {experiment} field) for every experiment, or with ``trained`` for
    the experiment that trained each one's model; an error without any experiments."""

    def files(wildcards):
        if not EXPERIMENTS:
            raise ValueError(
                "snakemake experiments needs variants: add an `experiments:` section to the "
                "config (docs/experiments.md)"
            )
        return [
            pattern.format(experiment=TRAINED_BY[name] if trained else name) for name in EXPERIMENTS
        ]

    return files


def experiment_model(wildcards):
    """The model an experiment is scored with (that of the variant that trained it)."""
    return f"results/experiments/{TRAINED_BY[wildcards.experiment]}/model/model.keras"


def experiment_encoder_weights(wildcards):
    """A variant's local encoder weights file, if any."""
    return local_weights(experiment(wildcards)["train"])
