import os
import sys

from snakemake.utils import validate

# The streetseg library sits beside this workflow; the DAG is built with its functions.
# Jobs import it through scripts/_paths.py.
sys.path.insert(0, workflow.basedir)

from streetseg.common.config_errors import checked_schema
from streetseg.common.placeholders import check_profile
from streetseg.common.chunks import CHUNK_PATTERN, chunk_ids, chunk_members, chunk_names
from streetseg.common.images import IMAGE_SUFFIXES
from streetseg.common.overrides import describe_overrides
from streetseg.common.problems import listing_report
from streetseg.data.locations import SAFE_SAMPLE_ID
from streetseg.data.samples import list_samples
from streetseg.data.shards import shard_names
from streetseg.data.sources import image_listing
from streetseg.data.splits import SPLITS, assign_splits, check_splits, sample_groups
from streetseg.demo.scenes import demo_sample_ids
from streetseg.labels.classes import unannotated_class
from streetseg.labels.slices import SLICE_SUFFIX
from streetseg.labels.slicing import find_exports
from streetseg.labels.resolver import check_label_targets
from streetseg.inference.tta import check_model as check_tta_model
from streetseg.model.preflight import check_model_classes, check_model_input, infer_model_path


def stop(problem):
    """End the run before any job, with the message of an expected problem and no stack."""
    sys.exit(f"Error: {problem}")  # printed on stderr, exit status 1


# Every config mistake, one line each, before the schema fills in the defaults.
try:
    CONFIG_SCHEMA = checked_schema(config, f"{workflow.basedir}/schemas/config.schema.yaml")
except ValueError as problem:
    stop(problem)
validate(config, schema="../schemas/config.schema.yaml")


# All that is known before a job runs is checked here (the listing: every bad file at once).
try:
    # The class table (ids, names, colours), then each name in labels that names a class.
    check_label_targets(config["labels"], config["classes"])
    check_profile(workflow)
    samples, LISTING_PROBLEMS = list_samples(config)
    UNANNOTATED = unannotated_class(
        config["classes"], config["labels"]["unannotated"], samples["annotation"]
    )
    check_model_input(config["train"])
    if config["model"]:
        check_model_classes(config["model"], config["classes"])
    # The split is a pure function of each sample's group and the seed (streetseg/data/splits.py),
    # so it is known when the DAG is built; the splits rule writes the same assignment to
    # results/splits/ for people and tools. split.group: a sample-table column or an id pattern.
    SAMPLE_GROUPS = sample_groups(samples, config["split"]["group"])
    SPLITS = assign_splits(
        list(samples.index),
        test_fraction=config["split"]["test_fraction"],
        val_fraction=config["split"]["val_fraction"],
        seed=config["split"]["seed"],
        explicit=samples["split"].to_dict(),
        groups=SAMPLE_GROUPS,
    )
    if not config["model"]:  # Infer with a given model needs no split.
        check_splits(SPLITS)
except ValueError as problem:
    stop(problem)
validate(samples, schema="../schemas/samples.schema.yaml")
# Row lookups through a plain dict: pandas' .loc costs ~20 us a call, once per job.
SAMPLE_FILES = samples[["image", "annotation"]].to_dict("index")
ON_BAD_SAMPLE = config["data"]["on_bad_sample"]
if LISTING_PROBLEMS:
    print(listing_report(LISTING_PROBLEMS, ON_BAD_SAMPLE), file=sys.stderr)

# The mask and predict jobs: chunk name -> consecutive sample ids (rules/masks.smk, predict.smk).
MASK_CHUNKS = chunk_ids(list(samples.index), config["masks"]["chunk_size"], LISTING_PROBLEMS)
PREDICT_CHUNKS = chunk_ids(SPLITS["test"], config["predict"]["chunk_size"])

# Multi-image exports (a file two or more samples name), each read once by its slice job
# (rules/slices.smk, streetseg/labels/slicing.py); SLICED: sample -> the id of its export.
EXPORTS = find_exports(SAMPLE_FILES, MASK_CHUNKS)
SLICED = {s: e.id for e in EXPORTS.values() for members in e.chunks.values() for s in members}
SLICE_FILE = f"results/slices/{{}}/{{}}{SLICE_SUFFIX}"
DIGEST_FILE = "results/slices/{}/{}.sha256"


def mask_annotations(chunk, members):
    """Each sample's annotation file, or its slice (ancient: its digest decides, see below)."""
    return [
        (
            ancient(SLICE_FILE.format(SLICED[s], chunk))
            if s in SLICED
            else SAMPLE_FILES[s]["annotation"]
        )
        for s in members
    ]


def slice_digests(chunk):
    """A mask chunk's slice digests, asked for through the slice checkpoints: once a slice
    job ran, Snakemake looks at the chunk again and compares each digest's checksum, so a
    chunk whose slices did not change keeps its masks."""
    ids = [export.id for export in EXPORTS.values() if chunk in export.chunks]

    def digests(wildcards):
        for export_id in ids:
            getattr(checkpoints, f"slices_{export_id}").get()
        return [DIGEST_FILE.format(export_id, chunk) for export_id in ids]

    return digests if ids else []


# Light rules run on the submit host under a cluster executor instead of as jobs of their own.
localrules:
    all,
    demo,
    slices_members,
    splits,
    problems,
    dataset,
    evaluate,
    plots,
    plots_gallery,
    plots_config,
    plots_report_text,
    infer,
    experiments_summary,
    experiments,


# New photos to segment (snakemake infer --config infer_images=DIR_OR_S3_PREFIX): listed
# only when given, so that the training workflow never looks at them. The sorted list is cut
# into chunks of infer.chunk_size, one job each. An S3 listing also gives each object's size
# and ETag (its fingerprint), which the chunk jobs get as a param.
try:
    INFER_LISTING = image_listing(config["infer_images"]) if config["infer_images"] else {}
except ValueError as problem:
    stop(problem)
INFER_IMAGES = list(INFER_LISTING)
INFER_CHUNKS = chunk_names(len(INFER_IMAGES), config["infer"]["chunk_size"])


def infer_model(wildcards):
    """config's `model`, else the trained one; never a job's output (infer_model_path)."""
    remote = workflow.storage_settings.default_storage_provider is not None
    try:
        path = infer_model_path(config["model"], rules.train.output.model, remote=remote)
        check_model_classes(path, config["classes"])  # the trained one too, before any job
        check_tta_model(path, config["predict"]["tta"])
    except ValueError as problem:
        stop(problem)
    return path


def infer_chunk_names(wildcards):
    """The photos of one inference chunk, relative to infer_images.

    They are a param, not input files: 100,000 input files would add about 9 s to every dry
    run. A changed membership reruns the chunk (params trigger); changed files are found by
    the chunk job's cache check (size and modification time) whenever the chunk runs.
    """
    return chunk_members(INFER_IMAGES, wildcards.chunk, config["infer"]["chunk_size"])


def infer_chunk_fingerprints(wildcards):
    """[size, ETag] of each S3 object of the chunk, from the listing (None for a folder,
    whose files the job checks itself). A changed object reruns its chunk (params trigger)."""
    listed = [INFER_LISTING[name] for name in infer_chunk_names(wildcards)]
    return None if None in listed else listed


def inference_folder(wildcards, output):
    """results/inference, the folder above a chunk table, where per-model results are cached."""
    return os.path.dirname(os.path.dirname(output.table))


def infer_chunk_tables(wildcards):
    """Every chunk's table; asking for them without photos stops the run in one line."""
    if not config["infer_images"]:
        stop(
            "infer needs a folder of photos: snakemake infer --config infer_images=DIR_OR_S3_PREFIX"
        )
    if not INFER_IMAGES:
        stop(f"{config['infer_images']}: no image files found ({', '.join(IMAGE_SUFFIXES)})")
    return expand("results/inference/chunks/{chunk}.tsv", chunk=INFER_CHUNKS)


wildcard_constraints:
    sample=SAFE_SAMPLE_ID.pattern.strip("^$"),
    split="|".join(SPLITS),
    chunk=CHUNK_PATTERN,
    experiment=SAFE_SAMPLE_ID.pattern.strip("^$"),


def shard_files(split):
    """The shard paths of one split (pass "{split}" to get a wildcard pattern)."""
    count = config["tfrecords"]["num_shards"]
    return [f"results/tfrecords/{name}" for name in shard_names(split, count)]


def chunk_resources(stage, **defaults):
    """Resources of the rules defined per chunk (masks_00000, predict_00000, ...): these
    defaults, overridden by a profile's `set-resources` entry for the stage's name ("masks",
    "predict"), since a profile cannot name rules that exist per chunk."""
    given = workflow.resource_settings.overwrite_resources.get(stage, {})  # Resource objects
    return {**defaults, **{name: getattr(value, "raw", value) for name, value in given.items()}}


def local_weights(train):
    """The local encoder weights file of a train section, as an input list, so that replacing
    it retrains ("imagenet" is Keras' own download; null is none)."""
    weights = train["model"]["encoder_weights"]
    return [] if weights in (None, "imagenet") else [weights]


def encoder_weights_file(wildcards):
    """The main model's local encoder weights file, if any."""
    return local_weights(config["train"])


def demo_files(extension):
    """The demo scenes' images ("jpg") or annotations ("xml")."""
    directory = config["data"]["demo_dir"]
    ids = demo_sample_ids(config["demo"]["n_scenes"])
    return [f"{directory}/{sample}.{extension}" for sample in ids]


def output_folder(wildcards, output):
    """The folder of a rule's first output, for rules that write many files into one place."""
    return os.path.dirname(output[0])


def mask_files(sample_ids):
    """The masks of the given samples.

    Plain paths rather than expand(rules.masks.output...), whose storage-flagged patterns
    expand() refuses when the files live in S3 (--default-storage-provider).
    """
    return [f"results/masks/{sample}.png" for sample in sample_ids]


def prediction_files(suffix=""):
    """The test split's predicted masks (suffix ""), panels ("_panel") or overlays ("_overlay")
    as plain paths.

    Plain paths rather than rules.predict_*.output: Snakemake hashes a rule-output list once
    per file it holds when it builds the consuming job, which is quadratic in the test split
    (seen with py-spy at 10,000 samples).
    """
    return [f"results/predictions/{sample}{suffix}.png" for sample in SPLITS["test"]]


def split_masks(wildcards):
    """The masks of every sample in a split, in sorted sample order."""
    return mask_files(SPLITS[wildcards.split])


def split_images(wildcards):
    """The images of every sample in a split, in sorted sample order."""
    return [SAMPLE_FILES[sample]["image"] for sample in SPLITS[wildcards.split]]


def final_targets(wildcards):
    """The dataset summary, the test shards, predictions, panels and overlays for the test
    split, metrics and plots."""
    return [
        *rules.dataset.output,
        *shard_files("test"),
        *prediction_files(),
        *prediction_files("_panel"),
        *prediction_files("_overlay"),
        *rules.evaluate.output,
        *rules.plots.output,
        *rules.plots_gallery.output,
        *rules.plots_config.output,
        *rules.plots_report_text.output,
    ]


def training_config():
    """The config without the inference keys, as recorded in the report and the model card."""
    return {
        key: value for key, value in config.items() if key not in ("infer_images", "model", "infer")
    }
