"""Metrics against hand-computed confusion matrices."""

import math

import numpy as np

from streetseg.evaluation.metrics import confusion_matrix, per_class_scores, summary_scores


def test_confusion_matrix_counts_and_skips_the_ignore_label():
    truth = np.array([[0, 0, 1], [1, 255, 2]])
    prediction = np.array([[0, 1, 1], [1, 2, 0]])
    expected = np.array([[1, 1, 0], [0, 2, 0], [1, 0, 0]])
    np.testing.assert_array_equal(confusion_matrix(truth, prediction, 3), expected)


def test_scores_on_a_hand_worked_case():
    # Class 0: tp 1, fn 1, fp 1 -> IoU 1/3. Class 1: tp 2, fp 1 -> IoU 2/3.
    # Class 2: tp 0, fn 1 -> IoU 0. Accuracy 3/5.
    confusion = np.array([[1, 1, 0], [0, 2, 0], [1, 0, 0]])
    scores = per_class_scores(confusion)
    np.testing.assert_allclose(scores["iou"], [1 / 3, 2 / 3, 0.0])
    np.testing.assert_allclose(scores["precision"], [0.5, 2 / 3, math.nan])
    np.testing.assert_allclose(scores["recall"], [0.5, 1.0, 0.0])
    summary = summary_scores(confusion)
    assert math.isclose(summary["mIoU"], (1 / 3 + 2 / 3 + 0) / 3)
    assert math.isclose(summary["pixel_accuracy"], 3 / 5)
    assert math.isclose(summary["fwIoU"], 2 / 5 * 1 / 3 + 2 / 5 * 2 / 3 + 1 / 5 * 0)


def test_classes_absent_from_truth_and_prediction_are_left_out_of_the_mean():
    # Class 2 appears nowhere: its IoU is undefined, not 0, so the mean is over two classes.
    confusion = np.array([[3, 1, 0], [0, 4, 0], [0, 0, 0]])
    scores = per_class_scores(confusion)
    assert math.isnan(scores["iou"][2])
    assert math.isclose(summary_scores(confusion)["mIoU"], (3 / 4 + 4 / 5) / 2)


def test_a_class_only_predicted_counts_as_zero():
    confusion = np.array([[2, 2], [0, 0]])
    assert math.isclose(summary_scores(confusion)["mIoU"], (0.5 + 0.0) / 2)
