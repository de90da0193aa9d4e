package org.softmax4j.engine.cpu;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.engine.Parameters;

/**
 * The bit-packed path of {@link BinaryEvaluator} with SIMD registers (the Vector API). An example's K logits sit in one
 * to {@link #MOST_REGISTERS} registers (K padded to the register width: K ≤ 4 × lanes, 64 with AVX-512, 32 with AVX2,
 * 16 with 128-bit vectors): one register add per byte of the row and register. The softmax runs across groups of LANES examples, one class per register (see {@link #tile}).
 * The gradient gathers in float lookup rows over tiles of {@link #TILE} examples, one register add per byte, which are
 * spread onto feature columns (in float, one register add per set bit of each byte value) and then added to the
 * chunk's double gradient: no float sum runs over more than a tile. Only loaded when the module jdk.incubator.vector
 * is present (see {@link Vectors}).
 */
class VectorBinaryEvaluator extends ChunkedEvaluator {
    /**
     * Rows per tile, whose float accumulators are then spread and added to the chunk's double gradient: a float sum of
     * at most 4096 terms stays within the 1e-5 tolerance of docs/GPU-FACTS.md (typical rounding √4096 · 6e-8 ≈ 4e-6),
     * while the spread's fixed cost per tile (for D = 64 about 8 × 127 × 8 register loads and adds, counted) and the
     * accumulators' zeroing stay a small share of the tile. (2048 before the eighth session: 4096 measured 0.94 of
     * its time on one thread, 0.040 against 0.043 s an evaluation of 10^6 rows, D = 64, K = 10.)
     */
    static final int TILE = 4096;
    private static final VectorSpecies<Float> SPECIES = VectorSoftmax.SPECIES;
    private static final int LANES = VectorSoftmax.LANES;

    private final long[] words;
    private final BinaryDataset binary;
    private final int wordsPerRow;
    private final int numBytes;
    /**
     * Registers of classes at most: K above it goes to the scalar path. (Two before the ninth session, which left the
     * digits' 10 classes on the scalar path where a register holds 4 floats; up to 4 is what the tests cover.)
     */
    static final int MOST_REGISTERS = 4;
    /** Classes padded to a whole number of registers: LANES to MOST_REGISTERS × LANES. */
    final int padded;
    /** Offsets of one class's column in a block of LANES rows of {@code padded} floats: 0, padded, 2·padded, ... */
    private final int[] column;
    /**
     * [i][v][k] (k < padded): Σ of W[k][8i + j] over the bits j set in v; zero in padding lanes. From {@link
     * #tableStart}, so that each row is one cache line (see {@link CacheLines}).
     */
    private final float[] table;
    private int tableStart;
    /** The bias, padded with −∞ so that padding lanes never win the max and their exp is 0. */
    private final float[] paddedBias;
    /** Per worker: [i][v][k] residual sums of the tile, from {@link #accumulatorStarts}[worker] (one line a row). */
    private final float[][] accumulators;
    private final int[] accumulatorStarts;
    /** The one-slot holder {@link CacheLines} reads an array's address through. */
    private final Object[] holder = new Object[1];
    private final CacheLines.Placement placement;
    /** Per worker: [j][k] gradient of the tile, spread from the accumulators. */
    private final float[][] tileGradients;
    /** Per worker: the logits, then the residuals, of a group of LANES examples, LANES × padded. */
    private final float[][] groupBlocks;
    /** Per worker: a group's logits, then exps, by class: [k][lane]. */
    private final float[][] groupColumns;
    /**
     * Per worker: z_y − max, then ln p_y, of each example of a tile, and its Σ_k e_k − 1 (see
     * VectorSoftmax.residualsAcross).
     */
    private final float[][] tileLabelLogits;
    private final float[][] tileRests;
    /** Per worker: the rows and the labels of a group of examples. */
    private final int[][] groupRows;
    private final int[][] groupLabelsOf;
    /** Per worker, 8 apart (a cache line): the log-likelihood of the last tile. */
    private final double[] tileLogLikelihoods;
    /** Per worker: logits then exps of one example, for the scalar reads of the label's lane. */
    private final float[][] scratch;

    static boolean supports(int numClasses) {
        return numClasses <= MOST_REGISTERS * LANES;
    }

    /**
     * The evaluator with the SIMD softmax ({@link VectorSoftmax}) where no dense vector evaluator has evaluated in this
     * JVM ({@link VectorPaths}), else with the plain one ({@link Softmax#residualsOfRows}, the same bits). Chosen once,
     * as two classes (see {@link VectorDoubleBinaryEvaluator#create}): after dense vector code, C2 compiled the SIMD
     * softmax into the Vector API's boxed Java fallbacks.
     */
    static VectorBinaryEvaluator create(WorkerPool pool, BinaryDataset data) {
        return create(pool, data, VectorPaths.onlyBinaryDoubleSoFar());
    }

    /** {@link #create(WorkerPool, BinaryDataset)} with the softmax chosen (true: the SIMD one). */
    static VectorBinaryEvaluator create(WorkerPool pool, BinaryDataset data, boolean vectorSoftmax) {
        return create(pool, data, vectorSoftmax, CacheLines.NOW);
    }

    /** As above, with the rows placed by {@code placement} (tests move them between evaluations). */
    static VectorBinaryEvaluator create(WorkerPool pool, BinaryDataset data, boolean vectorSoftmax,
                                        CacheLines.Placement placement) {
        return vectorSoftmax ? new VectorBinaryEvaluator(pool, data, placement)
                : new WithPlainSoftmax(pool, data, placement);
    }

    private VectorBinaryEvaluator(WorkerPool pool, BinaryDataset data, CacheLines.Placement placement) {
        super(pool, data);
        this.placement = placement;
        if (!supports(numClasses)) {
            throw new IllegalArgumentException(numClasses + " classes, expected at most " + MOST_REGISTERS * LANES);
        }
        this.words = data.words();
        this.binary = data;
        this.wordsPerRow = data.wordsPerRow();
        // Whole words: the bytes past the last feature are always 0 and find the zero row of their table.
        this.numBytes = 8 * wordsPerRow;
        this.padded = (numClasses + LANES - 1) / LANES * LANES;
        this.column = new int[LANES];
        for (int s = 0; s < LANES; s++) {
            column[s] = s * padded;
        }
        this.table = new float[numBytes * 256 * padded + CacheLines.FLOATS];
        this.paddedBias = new float[padded];
        int threads = pool.threads();
        this.accumulators = new float[threads][];
        this.accumulatorStarts = new int[threads];
        this.tileGradients = new float[threads][];
        for (int t = 0; t < threads; t++) {
            accumulators[t] = new float[numBytes * 256 * padded + CacheLines.FLOATS];
            tileGradients[t] = new float[numBytes * 8 * padded];
        }
        this.scratch = perWorker(threads, 4 * padded);
        this.tileLogLikelihoods = new double[8 * threads];
        this.groupBlocks = perWorker(threads, LANES * padded);
        this.tileLabelLogits = perWorker(threads, TILE + LANES);
        this.tileRests = perWorker(threads, TILE + LANES);
        this.groupColumns = perWorker(threads, LANES * padded);
        this.groupRows = new int[threads][LANES + 16];
        this.groupLabelsOf = new int[threads][LANES + 16];
    }

    @Override
    protected void prepare(Parameters parameters) {
        float[] weights = parameters.weights();
        Arrays.fill(paddedBias, Float.NEGATIVE_INFINITY);
        System.arraycopy(parameters.bias(), 0, paddedBias, 0, numClasses);
        // The whole table is built each time (the zero rows and the padding too), and each tile zeroes its whole
        // accumulator: nothing is read from where the rows started before.
        tableStart = placement.firstLineStart(table, holder);
        BitRows.buildTable(weights, numClasses, numFeatures, numBytes, padded, table, tableStart);
        for (int t = 0; t < accumulators.length; t++) {
            accumulatorStarts[t] = placement.firstLineStart(accumulators[t], holder);
        }
    }

    @Override
    protected void evaluateChunk(int chunk, int[] order, int start, int end, int worker, double[] gradient) {
        float[] accumulator = accumulators[worker];
        float[] values = scratch[worker];
        int biasOffset = numClasses * numFeatures;
        double logLikelihood = 0;
        long correct = 0;
        for (int tileStart = start; tileStart < end; tileStart += TILE) {
            int tileEnd = Math.min(end, tileStart + TILE);
            Arrays.fill(accumulator, 0f);
            // The two shapes are separate methods: a vector that is one of two values at a merge point would be
            // boxed on the heap by this JIT; straight-line code keeps every vector in registers.
            long tileCorrect = tile(order, tileStart, tileEnd, worker, accumulator, values);
            correct += tileCorrect;
            logLikelihood += tileLogLikelihoods[worker * 8];
            biasSum(accumulator, accumulatorStarts[worker], values);
            for (int k = 0; k < numClasses; k++) {
                gradient[biasOffset + k] += values[padded + k];
            }
            spread(accumulator, accumulatorStarts[worker], tileGradients[worker], gradient);
        }
        record(chunk, logLikelihood, correct);
    }

    /**
     * One tile. Leaves the tile's log-likelihood in {@code tileLogLikelihoods[8 * worker]}; returns the number of
     * correct predictions.
     * <p>
     * Examples go in groups of LANES, in three steps. (1) Each example's logits (one register or several) go to a
     * row of a LANES × padded block. (2) The softmax runs across the group: the block is read by columns (a gather
     * per class), so that one register holds one class's logits for LANES examples and the max, the exps, the sums
     * and the residuals are lane-wise operations, with no reduction across lanes (reductions are long chains of
     * dependent steps; per example they cost more than everything else together). The residuals go back by columns
     * (a scatter per class). (3) Each example's residual row is added to the accumulator rows of its bytes.
     */
    private long tile(int[] order, int tileStart, int tileEnd, int worker, float[] accumulator, float[] values) {
        float[] block = groupBlocks[worker];
        float[] labelLogits = tileLabelLogits[worker];
        float[] rests = tileRests[worker];
        float[] columns = groupColumns[worker];
        int[] rows = groupRows[worker];
        int[] groupLabels = groupLabelsOf[worker];
        long correct = 0;
        for (int groupStart = tileStart; groupStart < tileEnd; groupStart += LANES) {
            int size = Math.min(LANES, tileEnd - groupStart);
            for (int s = 0; s < size; s++) {
                int position = groupStart + s;
                int row = order == null ? position : order[position];
                rows[s] = row;
                groupLabels[s] = binary.label(row);
                int offset = row * wordsPerRow;
                logits(offset, 0, block, s * padded);
                for (int lane = LANES; lane < padded; lane += LANES) {
                    logits(offset, lane, block, s * padded + lane);
                }
            }
            for (int s = size; s < LANES; s++) {
                // Lanes past the end of the tile: zero logits, label −1 (no class); computed, then left out.
                Arrays.fill(block, s * padded, (s + 1) * padded, 0f);
                groupLabels[s] = -1;
            }
            correct += softmax(block, columns, groupLabels, labelLogits, rests, groupStart - tileStart, size);
            // Each residual row goes to the bias sum and to the accumulator rows of its bytes, example after example
            // for each row (the same sums as one example at a time). The loops of a few rounds (registers,
            // words) go outermost: the loop over the eight bytes of a word then has a constant count, which this JIT
            // unrolls into constant shifts, and the loop over the examples carries nothing else (measured, CPU time
            // of one evaluation of 10^6 rows on one thread: 0.047 s, 0.052 with the words alone outermost, 0.056
            // with the bytes of a row in one loop over numBytes inside the loop over the examples).
            for (int lane = 0; lane < padded; lane += LANES) {
                for (int w = 0; w < wordsPerRow; w++) {
                    int first = accumulatorStarts[worker] + 8 * w * 256 * padded + lane;
                    for (int s = 0; s < size; s++) {
                        long word = words[rows[s] * wordsPerRow + w];
                        FloatVector r = FloatVector.fromArray(SPECIES, block, s * padded + lane);
                        for (int b = 0; b < 8; b++) {
                            int base = first + (b * 256 + (int) (word >>> (8 * b) & 0xFF)) * padded;
                            FloatVector.fromArray(SPECIES, accumulator, base).add(r).intoArray(accumulator, base);
                        }
                    }
                }
            }
        }
        tileLogLikelihoods[worker * 8] = logLikelihood(labelLogits, rests, tileEnd - tileStart);
        return correct;
    }

    /**
     * The softmax of a group of LANES examples, rows of {@code block} (the first {@code size} are examples): see {@link
     * VectorSoftmax#residualsAcross}.
     */
    int softmax(float[] block, float[] columns, int[] groupLabels, float[] labelLogits, float[] rests, int at,
                int size) {
        return VectorSoftmax.residualsAcross(block, columns, column, groupLabels, labelLogits, rests, at, numClasses);
    }

    /**
     * Σ ln p_y over the first {@code count} examples of a tile, in double, in order, from what {@link
     * VectorSoftmax#residualsAcross} left. Once per tile, not once per group: with the log1p in the loop over the
     * groups this JIT compiled that loop to slower code (measured, 0.086 against 0.059 s of CPU per evaluation of
     * 10^6 rows, depending on whether it inlined it).
     */
    double logLikelihood(float[] labelLogits, float[] rests, int count) {
        double sum = 0;
        for (int at = 0; at < count; at += LANES) {
            VectorSoftmax.logLikelihoodsAcross(labelLogits, rests, at);
            for (int s = at; s < Math.min(at + LANES, count); s++) {
                sum += labelLogits[s];
            }
        }
        return sum;
    }

    /**
     * Lanes [lane, lane + LANES) of the logits of the row at {@code offset} into {@code block} from {@code at}: the
     * bias plus one table row per byte, a word (eight bytes) at a time. With several words the running sum goes through
     * the block between words, and no vector leaves this method: a vector carried around a loop, or one of two values
     * where two branches meet, is boxed on the heap by this JIT wherever it cannot speculate on the vector's class.
     */
    private void logits(int offset, int lane, float[] block, int at) {
        if (wordsPerRow == 1) {
            addWord(FloatVector.fromArray(SPECIES, paddedBias, lane), words[offset], tableStart + lane)
                    .intoArray(block, at);
            return;
        }
        // A copy, not a vector load and store: that pair ran the Vector API's Java fallback after dense vector code.
        System.arraycopy(paddedBias, lane, block, at, LANES);
        for (int w = 0; w < wordsPerRow; w++) {
            addWord(FloatVector.fromArray(SPECIES, block, at), words[offset + w],
                    tableStart + w * 8 * 256 * padded + lane)
                    .intoArray(block, at);
        }
    }

    /** z plus the table rows of the eight bytes of one word, whose first byte position's table starts at base. */
    private FloatVector addWord(FloatVector z, long word, int base) {
        int step = 256 * padded;
        return z.add(FloatVector.fromArray(SPECIES, table, base + (int) (word & 0xFF) * padded))
                .add(FloatVector.fromArray(SPECIES, table, base + step + (int) (word >>> 8 & 0xFF) * padded))
                .add(FloatVector.fromArray(SPECIES, table, base + 2 * step + (int) (word >>> 16 & 0xFF) * padded))
                .add(FloatVector.fromArray(SPECIES, table, base + 3 * step + (int) (word >>> 24 & 0xFF) * padded))
                .add(FloatVector.fromArray(SPECIES, table, base + 4 * step + (int) (word >>> 32 & 0xFF) * padded))
                .add(FloatVector.fromArray(SPECIES, table, base + 5 * step + (int) (word >>> 40 & 0xFF) * padded))
                .add(FloatVector.fromArray(SPECIES, table, base + 6 * step + (int) (word >>> 48 & 0xFF) * padded))
                .add(FloatVector.fromArray(SPECIES, table, base + 7 * step + (int) (word >>> 56) * padded));
    }

    /** The evaluator with the softmax in plain Java: the SIMD one's float operations, lane by lane (the same bits). */
    private static final class WithPlainSoftmax extends VectorBinaryEvaluator {
        WithPlainSoftmax(WorkerPool pool, BinaryDataset data, CacheLines.Placement placement) {
            super(pool, data, placement);
        }

        @Override
        int softmax(float[] block, float[] columns, int[] groupLabels, float[] labelLogits, float[] rests, int at,
                    int size) {
            return Softmax.residualsOfRows(block, padded, groupLabels, labelLogits, rests, at, size, numClasses);
        }

        /** {@link VectorBinaryEvaluator#logLikelihood} with {@link Softmax#log1p}, the scalar twin of the SIMD one. */
        @Override
        double logLikelihood(float[] labelLogits, float[] rests, int count) {
            double sum = 0;
            for (int s = 0; s < count; s++) {
                sum += labelLogits[s] - Softmax.log1p(rests[s]);
            }
            return sum;
        }
    }

    /**
     * The tile's bias gradient into {@code values[padded..]}: every example added its residual row to exactly one
     * accumulator row of byte position 0, so the sum of those 256 rows (values ascending) is the sum of the residuals.
     * (Summed per example instead, a load, an add and a store of the same register per example, each waiting for the
     * last.)
     */
    private void biasSum(float[] accumulator, int start, float[] values) {
        for (int lane = 0; lane < padded; lane += LANES) {
            // From the first row, not from a constant: see spreadLanes.
            FloatVector sum = FloatVector.fromArray(SPECIES, accumulator, start + lane);
            for (int v = 1; v < 256; v++) {
                sum = sum.add(FloatVector.fromArray(SPECIES, accumulator, start + v * padded + lane));
            }
            sum.intoArray(values, padded + lane);
        }
    }

    /** Tile gradient [j][k] = Σ over byte values v with bit j%8 set of accumulator[j/8][v][k]; added to the chunk's. */
    private void spread(float[] accumulator, int start, float[] tileGradient, double[] gradient) {
        for (int lane = 0; lane < padded; lane += LANES) {
            spreadLanes(accumulator, start, tileGradient, lane);
        }
        int classes = numClasses;
        for (int j = 0; j < numFeatures; j++) {
            for (int k = 0; k < classes; k++) {
                gradient[k * numFeatures + j] += tileGradient[j * padded + k];
            }
        }
    }

    /**
     * Column 8i + b of the tile gradient is the sum of the accumulator rows (i, v) over the 128 byte values v with bit
     * b set, ascending. The eight columns of a byte position are summed at once, each in its own register: eight
     * independent chains of adds, where adding each row into the columns in memory made chains of loads and stores
     * (a store, then a load of the same address) that ran at a few cycles per add.
     */
    private void spreadLanes(float[] accumulator, int start, float[] tileGradient, int lane) {
        for (int i = 0; i < numBytes; i++) {
            int base = start + i * 256 * padded + lane;
            // Each sum starts from its first row (t = 0): a vector started from a constant would be boxed on the heap
            // at every step of the loop by this JIT. (0 + x is x: the sums are those of the rows in order from 0.)
            FloatVector c0 = FloatVector.fromArray(SPECIES, accumulator, base + padded);
            FloatVector c1 = FloatVector.fromArray(SPECIES, accumulator, base + 2 * padded);
            FloatVector c2 = FloatVector.fromArray(SPECIES, accumulator, base + 4 * padded);
            FloatVector c3 = FloatVector.fromArray(SPECIES, accumulator, base + 8 * padded);
            FloatVector c4 = FloatVector.fromArray(SPECIES, accumulator, base + 16 * padded);
            FloatVector c5 = FloatVector.fromArray(SPECIES, accumulator, base + 32 * padded);
            FloatVector c6 = FloatVector.fromArray(SPECIES, accumulator, base + 64 * padded);
            FloatVector c7 = FloatVector.fromArray(SPECIES, accumulator, base + 128 * padded);
            for (int t = 1; t < 128; t++) {
                // The t-th value with bit b set: t with a 1 inserted at bit b.
                c0 = c0.add(FloatVector.fromArray(SPECIES, accumulator, base + (t << 1 | 1) * padded));
                c1 = c1.add(FloatVector.fromArray(SPECIES, accumulator, base + withBit(t, 1) * padded));
                c2 = c2.add(FloatVector.fromArray(SPECIES, accumulator, base + withBit(t, 2) * padded));
                c3 = c3.add(FloatVector.fromArray(SPECIES, accumulator, base + withBit(t, 3) * padded));
                c4 = c4.add(FloatVector.fromArray(SPECIES, accumulator, base + withBit(t, 4) * padded));
                c5 = c5.add(FloatVector.fromArray(SPECIES, accumulator, base + withBit(t, 5) * padded));
                c6 = c6.add(FloatVector.fromArray(SPECIES, accumulator, base + withBit(t, 6) * padded));
                c7 = c7.add(FloatVector.fromArray(SPECIES, accumulator, base + (t | 128) * padded));
            }
            int target = 8 * i * padded + lane;
            c0.intoArray(tileGradient, target);
            c1.intoArray(tileGradient, target + padded);
            c2.intoArray(tileGradient, target + 2 * padded);
            c3.intoArray(tileGradient, target + 3 * padded);
            c4.intoArray(tileGradient, target + 4 * padded);
            c5.intoArray(tileGradient, target + 5 * padded);
            c6.intoArray(tileGradient, target + 6 * padded);
            c7.intoArray(tileGradient, target + 7 * padded);
        }
    }

    /** t (below 128) with a 1 inserted at bit b: its bits below b stay, those from b up move one place up. */
    private static int withBit(int t, int b) {
        return (t >>> b) << (b + 1) | 1 << b | t & ((1 << b) - 1);
    }

    @Override
    protected void probabilitiesChunk(int start, int end, int worker, float[] out) {
        // Rare and cheap next to training: the scalar path's logits through the padded table.
        float[] z = scratch[worker];
        float[] bias = parameters.bias();
        int classes = numClasses;
        for (int row = start; row < end; row++) {
            System.arraycopy(bias, 0, z, 0, classes);
            int offset = row * wordsPerRow;
            for (int i = 0; i < numBytes; i++) {
                int base = tableStart + (i * 256 + BitRows.byteAt(words, offset, i)) * padded;
                for (int k = 0; k < classes; k++) {
                    z[k] += table[base + k];
                }
            }
            Softmax.probabilities(z, classes);
            System.arraycopy(z, 0, out, row * classes, classes);
        }
    }
}
