package org.softmax4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Parameters;

/**
 * The bit-packed SIMD evaluators start their rows on cache lines ({@link CacheLines}), asked again before each
 * evaluation because the collector moves arrays. Here the rows move between evaluations as the collector would move
 * them (every start a line allows, up and down), and each evaluation of a new point must give the bits of an
 * evaluator whose rows never move: nothing may be read from where the previous evaluation started its rows.
 * <p>
 * The defect this guards against was real: the double path builds only the table rows of byte values that occur and
 * reads the zero rows as they are; after a young collection moved its table by a few doubles, the zero rows held the
 * previous point's sums, and an L-BFGS run in CI stopped at F = −22,937 instead of −14,267 (NewtonSolverTest).
 */
class MovedLinesTest {
    /** Line starts visited in turn: up and down, every one of a line's 16 floats or 8 doubles, 0 among them. */
    private static final int[] FLOAT_STARTS = {0, 5, 15, 1, 12, 3, 0, 9, 2, 14, 7, 11, 4, 13, 6, 10, 8};
    private static final int[] DOUBLE_STARTS = {0, 3, 7, 1, 6, 0, 5, 2, 4, 7, 0};

    @BeforeAll
    static void needsTheVectorApi() {
        assumeTrue(Vectors.available(), "the Vector API module is not present: the scalar paths run, with rows at"
                + " fixed places");
    }

    /** Starts from a list, in turn per call; every array of the evaluator moves at once, as in a collection. */
    private static final class Moving implements CacheLines.Placement {
        private final int[] starts;
        private int calls;
        private int current;

        Moving(int[] starts) {
            this.starts = starts;
        }

        /** The next place; called once before each evaluation, so that all arrays of one evaluation agree. */
        void move() {
            current = starts[calls++ % starts.length];
        }

        @Override
        public int firstLineStart(float[] array, Object[] holder) {
            return current;
        }

        @Override
        public int firstLineStart(double[] array, Object[] holder) {
            return current;
        }
    }

    private static final CacheLines.Placement FIXED = new CacheLines.Placement() {
        @Override
        public int firstLineStart(float[] array, Object[] holder) {
            return 0;
        }

        @Override
        public int firstLineStart(double[] array, Object[] holder) {
            return 0;
        }
    };

    /** D = 40 (one word a row, bytes 5 to 7 always 0), D = 64 and D = 130 (three words); K = 6, 10 and 3. */
    private static final int[][] SHAPES = {{3000, 40, 6}, {2500, 64, 10}, {1500, 130, 3}};

    @Test
    void theDoublePathGivesTheSameBitsWhereverItsRowsStart() {
        long seed = 70;
        for (int[] shape : SHAPES) {
            BinaryDataset data = TestData.randomBinary(shape[0], shape[1], shape[2], seed++);
            int dimension = shape[2] * shape[1] + shape[2];
            for (boolean vectorSoftmax : new boolean[] {true, false}) {
                for (int threads = 1; threads <= 2; threads++) {
                    Moving moving = new Moving(DOUBLE_STARTS);
                    try (WorkerPool pool = new WorkerPool(threads);
                         VectorDoubleBinaryEvaluator moved = VectorDoubleBinaryEvaluator.create(data, null, pool, true,
                                 vectorSoftmax, moving);
                         VectorDoubleBinaryEvaluator fixed = VectorDoubleBinaryEvaluator.create(data, null, pool,
                                 true, vectorSoftmax, FIXED)) {
                        for (int evaluation = 0; evaluation < 2 * DOUBLE_STARTS.length; evaluation++) {
                            double[] point = DoubleSimdChecks.randomPoint(dimension, seed * 100 + evaluation);
                            moving.move();
                            double[] movedGradient = new double[dimension];
                            double[] fixedGradient = new double[dimension];
                            double movedValue = moved.evaluate(point, movedGradient);
                            double fixedValue = fixed.evaluate(point, fixedGradient);
                            String where = "N = " + shape[0] + ", D = " + shape[1] + ", K = " + shape[2] + ", "
                                    + (vectorSoftmax ? "SIMD" : "plain") + " softmax, " + threads + " threads, "
                                    + "evaluation " + evaluation + " with the rows at " + moving.current + ": ";
                            assertEquals(Double.doubleToRawLongBits(fixedValue), Double.doubleToRawLongBits(movedValue),
                                    where + "L " + movedValue + " against " + fixedValue);
                            for (int i = 0; i < dimension; i++) {
                                assertEquals(Double.doubleToRawLongBits(fixedGradient[i]),
                                        Double.doubleToRawLongBits(movedGradient[i]), where + "gradient entry " + i);
                            }
                            assertEquals(fixed.numCorrect(), moved.numCorrect(), where + "correct predictions");
                        }
                    }
                }
            }
        }
    }

    @Test
    void theFloatPathGivesTheSameBitsWhereverItsRowsStart() {
        long seed = 90;
        for (int[] shape : SHAPES) {
            int n = shape[0];
            int d = shape[1];
            int k = shape[2];
            BinaryDataset data = TestData.randomBinary(n, d, k, seed++);
            for (boolean vectorSoftmax : new boolean[] {true, false}) {
                for (int threads = 1; threads <= 2; threads++) {
                    Moving moving = new Moving(FLOAT_STARTS);
                    try (WorkerPool pool = new WorkerPool(threads)) {
                        VectorBinaryEvaluator moved = VectorBinaryEvaluator.create(pool, data, vectorSoftmax, moving);
                        VectorBinaryEvaluator fixed = VectorBinaryEvaluator.create(pool, data, vectorSoftmax, FIXED);
                        for (int evaluation = 0; evaluation < 2 * FLOAT_STARTS.length; evaluation++) {
                            Parameters parameters = parameters(k, d, seed * 100 + evaluation);
                            moving.move();
                            Evaluation movedOut = new Evaluation(k, d);
                            Evaluation fixedOut = new Evaluation(k, d);
                            moved.evaluate(parameters, movedOut);
                            fixed.evaluate(parameters, fixedOut);
                            String where = "N = " + n + ", D = " + d + ", K = " + k + ", "
                                    + (vectorSoftmax ? "SIMD" : "plain") + " softmax, " + threads + " threads, "
                                    + "evaluation " + evaluation + " with the rows at " + moving.current + ": ";
                            assertEquals(Double.doubleToRawLongBits(fixedOut.logLikelihood()),
                                    Double.doubleToRawLongBits(movedOut.logLikelihood()), where + "L");
                            for (int i = 0; i < k * d; i++) {
                                assertEquals(Double.doubleToRawLongBits(fixedOut.gradWeights()[i]),
                                        Double.doubleToRawLongBits(movedOut.gradWeights()[i]),
                                        where + "gradient entry " + i);
                            }
                            for (int i = 0; i < k; i++) {
                                assertEquals(Double.doubleToRawLongBits(fixedOut.gradBias()[i]),
                                        Double.doubleToRawLongBits(movedOut.gradBias()[i]), where + "bias entry " + i);
                            }
                            assertEquals(fixedOut.numCorrect(), movedOut.numCorrect(), where + "correct predictions");
                        }
                    }
                }
            }
        }
    }

    private static Parameters parameters(int k, int d, long seed) {
        double[] point = DoubleSimdChecks.randomPoint(k * d + k, seed);
        Parameters parameters = new Parameters(k, d);
        for (int i = 0; i < k * d; i++) {
            parameters.weights()[i] = (float) point[i];
        }
        for (int i = 0; i < k; i++) {
            parameters.bias()[i] = (float) point[k * d + i];
        }
        return parameters;
    }
}
