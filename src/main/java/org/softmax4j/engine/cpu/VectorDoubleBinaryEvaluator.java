package org.softmax4j.engine.cpu;

import java.util.Arrays;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

import org.softmax4j.data.BinaryDataset;

/**
 * Bit-packed rows in double with SIMD registers (the Vector API): the path {@link DoubleEvaluator} takes for binary
 * data when jdk.incubator.vector is present. The double twin of {@link VectorBinaryEvaluator}, in three steps per group
 * of LANES examples (8 with AVX-512):
 * <ol>
 * <li>Logits: an example's K logits sit in K/LANES registers (K padded to whole registers: 16 for K = 10), the bias
 * plus one lookup-table row per byte of the row ({@link BitRows}: [byte position][byte value][class] = Σ of W[k][8i +
 * j] over the bits j set in the value, in double).
 * <li>Softmax of the group's rows, with an exp and a log of our own (within an ulp or two of Math.exp and Math.log):
 * across the group's LANES rows at once ({@link VectorDoubleSoftmax}) in a JVM where no other vector path has run, else
 * in plain Java ({@link PolynomialSoftmax}), the same bits. Compiled by C2 on JDK 17, vector code of the softmax's
 * length depends on the type profiles and traps that other vector code left in the JVM ({@link VectorPaths}).
 * <li>Gradient: each example's residual registers are added to the accumulator rows of its bytes ([byte position][byte
 * value][class], one register add per byte); at the end of the chunk the accumulator rows of the byte values that
 * occur are spread onto the feature columns of their set bits.
 * </ol>
 * Everything is double: the logits sum at most D/8 table rows, each a sum of at most 8 weights, so they differ from
 * the plain dot product only in the last bits, and the gradient sums are in double from the residual up.
 *
 * <p>Threads: chunks of {@link #CHUNK_SIZE} rows, their slots added in chunk order ({@link DoubleChunks}): bitwise the
 * same for every thread count. Buffers are allocated once, at construction.
 */
class VectorDoubleBinaryEvaluator extends DoubleChunks {
    /**
     * Rows per result slot. Larger than the dense path's 1,024: at the end of each chunk the accumulators are zeroed
     * and spread, which for D = 64 and all 255 byte values occurring costs 8 × 255 × 4 bits × K/LANES register adds
     * (16,000 for K = 10, counted). With 4,096 rows the spread alone took 4.3% of an evaluation of 10⁶ rows (perf
     * samples, 1 thread), with 16,384 1.1%. Up to 16,384 rows (the digits' 1,437 among them) there are 4 chunks
     * either way ({@link DoubleChunks#numChunks}), so smaller data sets sum in the same order as before.
     */
    static final int CHUNK_SIZE = 16384;
    private static final VectorSpecies<Double> DOUBLES = VectorDoubleSoftmax.DOUBLES;
    /** Doubles per register; also the rows of a group. */
    private static final int LANES = VectorDoubleSoftmax.LANES;

    private final BinaryDataset data;
    private final long[] words;
    private final int wordsPerRow;
    private final double[] exampleWeights;
    /** Whole words: the bytes past the last feature are 0 and find the zero row of their table. */
    private final int numBytes;
    /** K rounded up to whole registers. */
    private final int padded;
    /** Per byte position: the nonzero byte values that occur there in the data (tables and spreads only there). */
    private final int[][] occurring;
    /** [i][v][k] (k &lt; padded): Σ of W[k][8i + j] over the bits j set in v; 0 in the padding and at v = 0. */
    private final double[] table;
    /** Where {@link #table}'s rows start, and each worker's accumulator's: on a cache line (see {@link CacheLines}). */
    private int tableStart;
    private final int[] accumulatorStarts;
    /** The one-slot holder {@link CacheLines} reads an array's address through. */
    private final Object[] holder = new Object[1];
    private final CacheLines.Placement placement;
    /** The bias, padded with 0 (padding classes are never read by the softmax). */
    private final double[] paddedBias;
    /** Per worker: [i][v][k] residual sums of the chunk. */
    private final double[][] accumulators;
    /** Per worker: [j][k] the chunk's gradient spread from the accumulators, then transposed into its slot. */
    private final double[][] featureGradients;
    /** Per worker: the bias gradient of the chunk (padded). */
    private final double[][] biasSums;
    /** Per worker: logits, then residuals, of a group, LANES × padded. */
    private final double[][] blocks;
    /** Per worker: a group's logits, then exps, by class: [k][lane] (the SIMD softmax's). */
    private final double[][] columns;
    /** Per worker: the group's labels and weights as doubles, its log-likelihood terms and its sums of exps. */
    private final double[][] groupLabels;
    private final double[][] groupWeights;
    private final double[][] groupSums;
    private final double[][] groupSumsOfExps;

    /**
     * @param exampleWeights ω_n per example (owned by the caller, not modified), or null for all 1
     * @param parallel       whether to run the chunks on the pool (else on the caller's thread; same result)
     */
    private VectorDoubleBinaryEvaluator(BinaryDataset data, double[] exampleWeights, WorkerPool pool,
                                        boolean parallel, CacheLines.Placement placement) {
        super(data.numExamples(), data.numFeatures(), data.numClasses(), CHUNK_SIZE, data.numClasses(), pool,
                parallel);
        this.data = data;
        this.placement = placement;
        this.words = data.words();
        this.wordsPerRow = data.wordsPerRow();
        this.exampleWeights = exampleWeights;
        this.numBytes = 8 * wordsPerRow;
        this.padded = (numClasses + LANES - 1) / LANES * LANES;
        this.occurring = BitRows.occurringValues(data, numBytes);
        this.table = new double[numBytes * 256 * padded + 8];
        this.paddedBias = new double[padded];
        int threads = pool.threads();
        // Each worker's arrays apart, padded by a cache line or two: neighbours written by two threads at once would
        // share a line (false sharing).
        this.accumulators = perWorker(threads, numBytes * 256 * padded);
        this.accumulatorStarts = new int[threads];
        this.featureGradients = perWorker(threads, numBytes * 8 * padded);
        this.biasSums = perWorker(threads, padded);
        this.blocks = perWorker(threads, LANES * padded);
        this.columns = perWorker(threads, numClasses * LANES);
        this.groupLabels = perWorker(threads, LANES);
        this.groupWeights = perWorker(threads, LANES);
        this.groupSums = perWorker(threads, LANES);
        this.groupSumsOfExps = perWorker(threads, LANES);
    }

    /**
     * A double evaluator of bit-packed rows: with the SIMD softmax ({@link WithVectorSoftmax}) where no other vector
     * path has evaluated in this JVM ({@link VectorPaths}), else with the plain one (the same bits). Chosen once, as
     * two classes, so that neither's compiled code holds the other's softmax: where C2 cannot speculate, a compilation
     * that held both boxed the plain one's vectors too.
     *
     * @param exampleWeights ω_n per example (owned by the caller, not modified), or null for all 1
     * @param parallel       whether to run the chunks on the pool (else on the caller's thread; same result)
     */
    static VectorDoubleBinaryEvaluator create(BinaryDataset data, double[] exampleWeights, WorkerPool pool,
                                              boolean parallel) {
        return create(data, exampleWeights, pool, parallel, VectorPaths.onlyBinaryDoubleSoFar());
    }

    /** {@link #create(BinaryDataset, double[], WorkerPool, boolean)} with the softmax chosen (true: the SIMD one). */
    static VectorDoubleBinaryEvaluator create(BinaryDataset data, double[] exampleWeights, WorkerPool pool,
                                              boolean parallel, boolean vectorSoftmax) {
        return create(data, exampleWeights, pool, parallel, vectorSoftmax, CacheLines.NOW);
    }

    /** As above, with the rows placed by {@code placement} (tests move them between evaluations). */
    static VectorDoubleBinaryEvaluator create(BinaryDataset data, double[] exampleWeights, WorkerPool pool,
                                              boolean parallel, boolean vectorSoftmax,
                                              CacheLines.Placement placement) {
        return vectorSoftmax ? new WithVectorSoftmax(data, exampleWeights, pool, parallel, placement)
                : new VectorDoubleBinaryEvaluator(data, exampleWeights, pool, parallel, placement);
    }

    /** The evaluator with {@link VectorDoubleSoftmax} across each group's LANES rows. */
    private static final class WithVectorSoftmax extends VectorDoubleBinaryEvaluator {
        WithVectorSoftmax(BinaryDataset data, double[] exampleWeights, WorkerPool pool, boolean parallel,
                          CacheLines.Placement placement) {
            super(data, exampleWeights, pool, parallel, placement);
        }

        /**
         * {@link VectorDoubleBinaryEvaluator#group} with {@link VectorDoubleSoftmax}: what {@link PolynomialSoftmax}
         * gives, bit for bit, across the LANES rows at once. Lanes past the group's {@code count} rows are zero logits
         * of label 0 and weight 0: computed, then left out.
         */
        @Override
        int group(int groupStart, int count, int worker, double[] accumulator, double[] bias) {
            VectorDoubleBinaryEvaluator self = this;
            double[] block = self.blocks[worker];
            double[] labels = self.groupLabels[worker];
            double[] weights = self.groupWeights[worker];
            for (int s = 0; s < count; s++) {
                int n = groupStart + s;
                labels[s] = self.data.label(n);
                weights[s] = self.exampleWeights == null ? 1.0 : self.exampleWeights[n];
                self.logits(n * self.wordsPerRow, block, s * self.padded);
            }
            for (int s = count; s < LANES; s++) {
                Arrays.fill(block, s * self.padded, (s + 1) * self.padded, 0.0);
                labels[s] = 0;
                weights[s] = 0;
            }
            double[] sums = self.groupSums[worker];
            double[] sumsOfExps = self.groupSumsOfExps[worker];
            int correct = VectorDoubleSoftmax.residualsAcross(block, self.columns[worker], self.padded, labels,
                    weights, sums, sumsOfExps, count, numClasses);
            VectorDoubleSoftmax.logLikelihoodsAcross(sums, sumsOfExps, weights, count);
            self.accumulate(groupStart, count, block, accumulator, self.accumulatorStarts[worker], bias);
            return correct;
        }
    }

    private static double[][] perWorker(int threads, int length) {
        double[][] arrays = new double[threads][];
        for (int t = 0; t < threads; t++) {
            arrays[t] = new double[length + 16];
        }
        return arrays;
    }

    @Override
    protected void prepare(double[] point) {
        System.arraycopy(point, numClasses * numFeatures, paddedBias, 0, numClasses);
        int start = placement.firstLineStart(table, holder);
        if (start != tableStart) {
            // The collector moved the table within a cache line since the last build. The rows below are built only
            // for byte values that occur; the zero rows and the padding lanes are read as they are, and must be 0, not
            // what the last build left there at the old start (a defect that surfaced in CI as an L-BFGS run stopping
            // at a far lower F after a young collection).
            Arrays.fill(table, 0.0);
            tableStart = start;
        }
        for (int i = 0; i < numBytes; i++) {
            for (int v : occurring[i]) {
                BitRows.buildTableRow(point, numClasses, numFeatures, i, v, padded, table, tableStart);
            }
        }
        for (int t = 0; t < accumulators.length; t++) {
            // Each chunk zeroes the rows it reads (the zero row and those of values that occur) at the start it uses.
            accumulatorStarts[t] = placement.firstLineStart(accumulators[t], holder);
        }
    }

    @Override
    protected void evaluateChunk(int chunk, int start, int end, int worker, double[] slot) {
        double[] accumulator = accumulators[worker];
        double[] bias = biasSums[worker];
        for (int i = 0; i < numBytes; i++) {
            // Only the rows of values that occur are read; row 0 is written too (bytes that are 0), never read.
            int base = accumulatorStarts[worker] + i * 256 * padded;
            Arrays.fill(accumulator, base, base + padded, 0.0);
            for (int v : occurring[i]) {
                Arrays.fill(accumulator, base + v * padded, base + (v + 1) * padded, 0.0);
            }
        }
        Arrays.fill(bias, 0.0);
        double[] sums = groupSums[worker];
        double logLikelihood = 0;
        long correct = 0;
        for (int groupStart = start; groupStart < end; groupStart += LANES) {
            int count = Math.min(LANES, end - groupStart);
            correct += group(groupStart, count, worker, accumulator, bias);
            for (int s = 0; s < count; s++) {
                logLikelihood += sums[s];
            }
        }
        spread(accumulator, accumulatorStarts[worker], featureGradients[worker], slot);
        System.arraycopy(bias, 0, slot, biasAt, numClasses);
        record(chunk, logLikelihood, correct);
    }

    /**
     * Rows groupStart .. groupStart + count − 1 (count ≤ LANES): their logits into a block, the softmax of each,
     * their residuals added to the accumulator rows of their bytes and to the bias sums. Leaves the log-likelihood
     * terms in {@code groupSums[worker]}; returns the number of correct predictions.
     */
    int group(int groupStart, int count, int worker, double[] accumulator, double[] bias) {
        double[] block = blocks[worker];
        double[] labels = groupLabels[worker];
        double[] weights = groupWeights[worker];
        for (int s = 0; s < count; s++) {
            int n = groupStart + s;
            labels[s] = data.label(n);
            weights[s] = exampleWeights == null ? 1.0 : exampleWeights[n];
            logits(n * wordsPerRow, block, s * padded);
        }
        double[] sums = groupSums[worker];
        double[] sumsOfExps = groupSumsOfExps[worker];
        int correct = PolynomialSoftmax.residuals(block, padded, labels, weights, sums, sumsOfExps, count,
                numClasses);
        PolynomialSoftmax.logLikelihoods(sums, sumsOfExps, weights, count);
        accumulate(groupStart, count, block, accumulator, accumulatorStarts[worker], bias);
        return correct;
    }


    /**
     * The residuals of rows groupStart .. groupStart + count − 1 (rows of {@code block}) added to the accumulator rows
     * of their bytes and to the bias sums, in row order. (A method of its own, as each step of {@link #group}: in one
     * method the JIT would stop inlining before the end and box the vectors it passes on.)
     */
    private void accumulate(int groupStart, int count, double[] block, double[] accumulator, int start,
                            double[] bias) {
        for (int s = 0; s < count; s++) {
            int offset = (groupStart + s) * wordsPerRow;
            for (int lane = 0; lane < padded; lane += LANES) {
                DoubleVector r = DoubleVector.fromArray(DOUBLES, block, s * padded + lane);
                DoubleVector.fromArray(DOUBLES, bias, lane).add(r).intoArray(bias, lane);
                for (int w = 0; w < wordsPerRow; w++) {
                    addToWord(accumulator, words[offset + w], start + w * 8 * 256 * padded + lane, r);
                }
            }
        }
    }

    /**
     * The logits of the row whose first word is {@code words[offset]} into block[at .. at + padded): the bias plus one
     * table row per byte, a register of classes at a time. No vector lives across a branch or a loop's back edge: this
     * JIT boxes such a vector on the heap as soon as one branch was never taken when it compiled (the shape of the data
     * decides which). With several words the running sum goes through the block between words.
     */
    private void logits(int offset, double[] block, int at) {
        if (wordsPerRow == 1) {
            long word = words[offset];
            for (int lane = 0; lane < padded; lane += LANES) {
                addWord(DoubleVector.fromArray(DOUBLES, paddedBias, lane), word, tableStart + lane)
                        .intoArray(block, at + lane);
            }
            return;
        }
        System.arraycopy(paddedBias, 0, block, at, padded);
        for (int lane = 0; lane < padded; lane += LANES) {
            for (int w = 0; w < wordsPerRow; w++) {
                addWord(DoubleVector.fromArray(DOUBLES, block, at + lane), words[offset + w],
                        tableStart + w * 8 * 256 * padded + lane).intoArray(block, at + lane);
            }
        }
    }

    /** z plus the table rows of the eight bytes of one word, whose first byte position's table starts at base. */
    private DoubleVector addWord(DoubleVector z, long word, int base) {
        int step = 256 * padded;
        double[] t = table;
        return z.add(DoubleVector.fromArray(DOUBLES, t, base + (int) (word & 0xFF) * padded))
                .add(DoubleVector.fromArray(DOUBLES, t, base + step + (int) (word >>> 8 & 0xFF) * padded))
                .add(DoubleVector.fromArray(DOUBLES, t, base + 2 * step + (int) (word >>> 16 & 0xFF) * padded))
                .add(DoubleVector.fromArray(DOUBLES, t, base + 3 * step + (int) (word >>> 24 & 0xFF) * padded))
                .add(DoubleVector.fromArray(DOUBLES, t, base + 4 * step + (int) (word >>> 32 & 0xFF) * padded))
                .add(DoubleVector.fromArray(DOUBLES, t, base + 5 * step + (int) (word >>> 40 & 0xFF) * padded))
                .add(DoubleVector.fromArray(DOUBLES, t, base + 6 * step + (int) (word >>> 48 & 0xFF) * padded))
                .add(DoubleVector.fromArray(DOUBLES, t, base + 7 * step + (int) (word >>> 56) * padded));
    }

    /** r added to the accumulator rows of the eight bytes of one word, whose first byte position starts at base. */
    private void addToWord(double[] accumulator, long word, int base, DoubleVector r) {
        int step = 256 * padded;
        for (int b = 0; b < 8; b++) {
            int at = base + b * step + (int) (word >>> (8 * b) & 0xFF) * padded;
            DoubleVector.fromArray(DOUBLES, accumulator, at).add(r).intoArray(accumulator, at);
        }
    }

    /**
     * The chunk's ∂L/∂W[k][8i + j] = Σ over the byte values v that occur at position i with bit j set of
     * accumulator[i][v][k]: spread a register at a time into [feature][class] (lowest bit first, values ascending),
     * then written to the chunk's slot as [class][feature].
     */
    private void spread(double[] accumulator, int start, double[] featureGradient, double[] slot) {
        Arrays.fill(featureGradient, 0.0);
        for (int i = 0; i < numBytes; i++) {
            for (int v : occurring[i]) {
                for (int lane = 0; lane < padded; lane += LANES) {
                    DoubleVector row = DoubleVector.fromArray(DOUBLES, accumulator,
                            start + (i * 256 + v) * padded + lane);
                    for (int bits = v; bits != 0; bits &= bits - 1) {
                        int target = (8 * i + Integer.numberOfTrailingZeros(bits)) * padded + lane;
                        DoubleVector.fromArray(DOUBLES, featureGradient, target).add(row)
                                .intoArray(featureGradient, target);
                    }
                }
            }
        }
        int d = numFeatures;
        for (int j = 0; j < d; j++) {
            for (int k = 0; k < numClasses; k++) {
                slot[k * d + j] = featureGradient[j * padded + k];
            }
        }
    }
}
