package org.softmax4j.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.softmax4j.data.Dataset;
import org.softmax4j.model.Model;
import org.softmax4j.train.IterationRecord;

/**
 * What a training report shows: the model, the run's history when there is one (a model file alone does not keep
 * it), the model's probabilities on labelled data when there are any, facts about the run for its last section, and
 * the shape of the features when they are an image.
 *
 * @param model      the trained model
 * @param curve      the training history, or null (then the report says the curve is not available)
 * @param evaluated  the model on labelled data (the test set), or null
 * @param run        facts in display order (data, engine, device, timings, ...); the model's own record is added
 * @param imageShape {height, width} with height × width = D to draw weights and examples as images, or null
 */
public record ReportInput(Model model, Curve curve, Evaluated evaluated, Map<String, String> run, int[] imageShape) {
    public ReportInput {
        Objects.requireNonNull(model, "model");
        run = run == null ? Map.of() : new LinkedHashMap<>(run);
        if (imageShape != null && (imageShape.length != 2 || imageShape[0] < 1 || imageShape[1] < 1
                || imageShape[0] * imageShape[1] != model.numFeatures())) {
            throw new IllegalArgumentException("imageShape is " + java.util.Arrays.toString(imageShape)
                    + ", expected {height, width} with height x width = " + model.numFeatures());
        }
        if (evaluated != null && evaluated.probabilities().length
                != (long) evaluated.data().numExamples() * model.numClasses()) {
            throw new IllegalArgumentException("evaluated probabilities has " + evaluated.probabilities().length
                    + " values, expected " + evaluated.data().numExamples() + " x " + model.numClasses());
        }
    }

    /**
     * The history of a training run.
     *
     * @param history            iteration 0 (the start) to the last, as {@code TrainingResult.history()}
     * @param numTrain           the training examples (the curves show log-likelihoods per example)
     * @param numValidation      the validation examples, 0 without a validation set
     * @param bestIteration      the iteration whose weights the model holds
     * @param testAccuracy       the final model's accuracy on the test set, NaN without one
     * @param testLogLikelihood  its log-likelihood summed over the test set, NaN without one
     * @param numTest            the test examples, 0 without a test set
     * @param heldOut            test and validation scores per iteration, or null when not recorded
     */
    public record Curve(List<IterationRecord> history, String stopReason, String stopDetail, int bestIteration,
                        int numTrain, int numValidation, double seconds, double testAccuracy,
                        double testLogLikelihood, int numTest, HeldOut heldOut) {
        public Curve {
            history = List.copyOf(history);
            if (history.isEmpty()) {
                throw new IllegalArgumentException("history is empty, expected at least iteration 0");
            }
            if (heldOut != null && (heldOut.testLogLikelihood().length != history.size()
                    || heldOut.testAccuracy().length != history.size()
                    || heldOut.validationAccuracy().length != history.size())) {
                throw new IllegalArgumentException("heldOut has " + heldOut.testLogLikelihood().length
                        + " values per curve, expected " + history.size() + " (one per record of the history)");
            }
            if (numTrain < 1) {
                throw new IllegalArgumentException("numTrain is " + numTrain + ", expected at least 1");
            }
        }
    }

    /**
     * Scores per record of the history (NaN where not known): the test set's summed log-likelihood and accuracy, and
     * the validation set's accuracy.
     */
    public record HeldOut(double[] testLogLikelihood, double[] testAccuracy, double[] validationAccuracy) {
    }

    /**
     * The model on labelled data.
     *
     * @param name          what the data are, for people ("test set: 360 held-out digits")
     * @param data          the examples as the model sees them (binarised when the model binarises)
     * @param probabilities N×K, row-major
     */
    public record Evaluated(String name, Dataset data, float[] probabilities) {
        public Evaluated {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(probabilities, "probabilities");
        }
    }
}
