package org.softmax4j.engine.cpu;

import java.util.Arrays;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import org.softmax4j.data.DenseDataset;

/**
 * Dense rows in double with SIMD registers (the Vector API): the path {@link DoubleEvaluator} takes for dense data
 * when jdk.incubator.vector is present. The float32 features are widened to double in registers (one load of LANES
 * floats, one conversion), never copied: the data stays as it was loaded.
 *
 * <p>Logits: blocks of 4 rows × 4 classes, 16 accumulators of LANES doubles, so that each load of W serves four rows
 * and each load of x serves four classes (8 loads for 16 fused multiply-adds). Each logit z_nk = b_k + (lane sum of
 * the FMA chain over the whole vectors of x) + (the remaining D mod LANES features, one by one): a function of (n, k)
 * alone, not of the block it was computed in. The residuals ω(y − p) are computed in double as {@link DoubleEvaluator}
 * does (1 − p_y as Σ_{k≠y} p_k). Gradient: per tile of {@link #TILE} rows and per LANES features, four classes'
 * gradient entries stay in registers while the tile's rows are added in row order (G_k += r_nk·x_n), one load of x per
 * four fused multiply-adds. K is padded to a multiple of 4 (padded classes have residual 0; their entries are never
 * read); where 1 or 2 classes remain after the blocks of 4, blocks of 2 classes take them ({@link #logitPair},
 * {@link #gradientPair}), with each entry's sums in the same order, so the bits do not depend on the block either.
 *
 * <p>Threads: chunks of {@link #CHUNK_SIZE} rows, their slots added in chunk order ({@link DoubleChunks}): bitwise the
 * same for every thread count. Buffers are allocated once, at construction.
 */
final class VectorDoubleDenseEvaluator extends DoubleChunks {
    /** Rows per result slot: the unit of the fixed-order reduction. */
    static final int CHUNK_SIZE = 1024;
    /** Rows whose residuals are held at once, and over which the gradient stays in registers. */
    static final int TILE = 64;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    /** Floats with as many lanes as DOUBLES: one load of x widens to one register of doubles. */
    private static final VectorSpecies<Float> FLOATS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(DOUBLES.vectorBitSize() / 2));
    private static final int LANES = DOUBLES.length();

    private final float[] values;
    private final int[] labels;
    private final double[] exampleWeights;
    /** K rounded up to a multiple of 4. */
    private final int paddedClasses;
    /**
     * Classes taken 4 at a time: K rounded up to a multiple of 4, unless 1 or 2 classes remain, which a block of 2
     * takes (K = 10: 4 + 4 + 2, not 12 with 2 computed for nothing; a sixth of the multiply-adds).
     */
    private final int fourClassBlocks;
    /** Features that fill whole registers; the rest are added one by one. */
    private final int vectorFeatures;
    /** Per worker: logits, then residuals, of the tile's rows, [row][paddedClasses] (padded apart). */
    private final double[][] tiles;
    /** Per worker: the 16 dot products of a 4 × 4 block. */
    private final double[][] blocks;

    // The call in progress: written by the calling thread before the pool's barrier, read by the workers after it.
    private double[] point;

    /**
     * @param exampleWeights ω_n per example (owned by the caller, not modified), or null for all 1
     * @param parallel       whether to run the chunks on the pool (else on the caller's thread; same result)
     */
    VectorDoubleDenseEvaluator(DenseDataset data, double[] exampleWeights, WorkerPool pool, boolean parallel) {
        super(data.numExamples(), data.numFeatures(), data.numClasses(), CHUNK_SIZE, (data.numClasses() + 3) & ~3,
                pool, parallel);
        this.values = data.values();
        this.labels = data.labels();
        this.exampleWeights = exampleWeights;
        this.paddedClasses = (numClasses + 3) & ~3;
        this.fourClassBlocks = (numClasses & 3) == 1 || (numClasses & 3) == 2 ? numClasses & ~3 : paddedClasses;
        this.vectorFeatures = DOUBLES.loopBound(numFeatures);
        this.tiles = new double[pool.threads()][TILE * paddedClasses + 16];
        this.blocks = new double[pool.threads()][16 + 16];
    }

    /** Whether this path can run here: the module is present and a double register has at least 2 lanes. */
    static boolean supported() {
        return Vectors.available() && DOUBLES.length() >= 2;
    }

    /** Lanes of a double register here (8 with AVX-512, 4 with AVX2). */
    static int lanes() {
        return LANES;
    }

    @Override
    protected void prepare(double[] point) {
        this.point = point;
    }

    @Override
    protected void finish() {
        this.point = null;
    }

    @Override
    protected void evaluateChunk(int chunk, int start, int end, int worker, double[] gradient) {
        Arrays.fill(gradient, 0.0);
        double[] z = tiles[worker];
        double[] block = blocks[worker];
        double logLikelihood = 0;
        long correct = 0;
        int classes = numClasses;
        int padded = paddedClasses;
        int biasOffset = classes * numFeatures;
        int fourBlocks = fourClassBlocks;
        for (int tileStart = start; tileStart < end; tileStart += TILE) {
            int rows = Math.min(TILE, end - tileStart);
            for (int i = 0; i < rows; i += 4) {
                int k = 0;
                for (; k < fourBlocks; k += 4) {
                    logitBlock(tileStart, i, rows, k, block, z);
                }
                if (k < classes) {
                    logitPair(tileStart, i, rows, k, block, z);
                }
            }
            for (int i = 0; i < rows; i++) {
                int n = tileStart + i;
                int at = i * padded;
                for (int k = 0; k < classes; k++) {
                    z[at + k] += point[biasOffset + k];
                }
                int label = labels[n];
                if (Softmax.argmax(z, at, classes) == label) {
                    correct++;
                }
                logLikelihood += residuals(z, at, label, exampleWeights == null ? 1.0 : exampleWeights[n]);
                for (int k = 0; k < classes; k++) {
                    gradient[biasAt + k] += z[at + k];
                }
            }
            int k = 0;
            for (; k < fourBlocks; k += 4) {
                gradientBlock(tileStart, rows, k, z, gradient);
            }
            if (k < classes) {
                gradientPair(tileStart, rows, k, z, gradient);
            }
        }
        record(chunk, logLikelihood, correct);
    }

    /**
     * The dot products w_k · x_n of rows tileStart + i .. i + 3 and classes k .. k + 3 into z[row][class]; rows past
     * {@code rows} and classes past K are computed on stand-ins (the last row, the last class) and not written.
     */
    private void logitBlock(int tileStart, int i, int rows, int k, double[] block, double[] z) {
        int xA = rowAt(tileStart, i, rows);
        int xB = rowAt(tileStart, i + 1, rows);
        int xC = rowAt(tileStart, i + 2, rows);
        int xD = rowAt(tileStart, i + 3, rows);
        int wA = classAt(k);
        int wB = classAt(k + 1);
        int wC = classAt(k + 2);
        int wD = classAt(k + 3);
        double[] w = point;
        float[] x = values;
        DoubleVector aa = DoubleVector.zero(DOUBLES);
        DoubleVector ab = aa;
        DoubleVector ac = aa;
        DoubleVector ad = aa;
        DoubleVector ba = aa;
        DoubleVector bb = aa;
        DoubleVector bc = aa;
        DoubleVector bd = aa;
        DoubleVector ca = aa;
        DoubleVector cb = aa;
        DoubleVector cc = aa;
        DoubleVector cd = aa;
        DoubleVector da = aa;
        DoubleVector db = aa;
        DoubleVector dc = aa;
        DoubleVector dd = aa;
        int j = 0;
        for (; j < vectorFeatures; j += LANES) {
            DoubleVector va = widen(x, xA + j);
            DoubleVector vb = widen(x, xB + j);
            DoubleVector vc = widen(x, xC + j);
            DoubleVector vd = widen(x, xD + j);
            DoubleVector w0 = DoubleVector.fromArray(DOUBLES, w, wA + j);
            aa = va.fma(w0, aa);
            ba = vb.fma(w0, ba);
            ca = vc.fma(w0, ca);
            da = vd.fma(w0, da);
            DoubleVector w1 = DoubleVector.fromArray(DOUBLES, w, wB + j);
            ab = va.fma(w1, ab);
            bb = vb.fma(w1, bb);
            cb = vc.fma(w1, cb);
            db = vd.fma(w1, db);
            DoubleVector w2 = DoubleVector.fromArray(DOUBLES, w, wC + j);
            ac = va.fma(w2, ac);
            bc = vb.fma(w2, bc);
            cc = vc.fma(w2, cc);
            dc = vd.fma(w2, dc);
            DoubleVector w3 = DoubleVector.fromArray(DOUBLES, w, wD + j);
            ad = va.fma(w3, ad);
            bd = vb.fma(w3, bd);
            cd = vc.fma(w3, cd);
            dd = vd.fma(w3, dd);
        }
        block[0] = aa.reduceLanes(VectorOperators.ADD);
        block[1] = ab.reduceLanes(VectorOperators.ADD);
        block[2] = ac.reduceLanes(VectorOperators.ADD);
        block[3] = ad.reduceLanes(VectorOperators.ADD);
        block[4] = ba.reduceLanes(VectorOperators.ADD);
        block[5] = bb.reduceLanes(VectorOperators.ADD);
        block[6] = bc.reduceLanes(VectorOperators.ADD);
        block[7] = bd.reduceLanes(VectorOperators.ADD);
        block[8] = ca.reduceLanes(VectorOperators.ADD);
        block[9] = cb.reduceLanes(VectorOperators.ADD);
        block[10] = cc.reduceLanes(VectorOperators.ADD);
        block[11] = cd.reduceLanes(VectorOperators.ADD);
        block[12] = da.reduceLanes(VectorOperators.ADD);
        block[13] = db.reduceLanes(VectorOperators.ADD);
        block[14] = dc.reduceLanes(VectorOperators.ADD);
        block[15] = dd.reduceLanes(VectorOperators.ADD);
        storeBlock(tileStart, i, rows, k, j, block, z);
    }

    /**
     * z[row][class] ← block[4·r + c] + the features from {@code j} on one by one, for the block's rows and classes
     * that exist (at most 4 of each).
     */
    private void storeBlock(int tileStart, int i, int rows, int k, int j, double[] block, double[] z) {
        int d = numFeatures;
        double[] w = point;
        float[] x = values;
        int rowCount = Math.min(4, rows - i);
        int classCount = Math.min(4, numClasses - k);
        for (int r = 0; r < rowCount; r++) {
            int at = (i + r) * paddedClasses + k;
            int xr = (tileStart + i + r) * d;
            for (int c = 0; c < classCount; c++) {
                double tail = 0;
                int wc = (k + c) * d;
                for (int t = j; t < d; t++) {
                    tail += w[wc + t] * x[xr + t];
                }
                z[at + c] = block[4 * r + c] + tail;
            }
        }
    }

    /**
     * As {@link #logitBlock} for classes k and k + 1 alone (the last 1 or 2 classes; past K the last class stands in,
     * not written): each logit's FMA chain and lane sum are the same, so are its bits.
     */
    private void logitPair(int tileStart, int i, int rows, int k, double[] block, double[] z) {
        int xA = rowAt(tileStart, i, rows);
        int xB = rowAt(tileStart, i + 1, rows);
        int xC = rowAt(tileStart, i + 2, rows);
        int xD = rowAt(tileStart, i + 3, rows);
        int wA = classAt(k);
        int wB = classAt(k + 1);
        double[] w = point;
        float[] x = values;
        DoubleVector aa = DoubleVector.zero(DOUBLES);
        DoubleVector ab = aa;
        DoubleVector ba = aa;
        DoubleVector bb = aa;
        DoubleVector ca = aa;
        DoubleVector cb = aa;
        DoubleVector da = aa;
        DoubleVector db = aa;
        int j = 0;
        for (; j < vectorFeatures; j += LANES) {
            DoubleVector va = widen(x, xA + j);
            DoubleVector vb = widen(x, xB + j);
            DoubleVector vc = widen(x, xC + j);
            DoubleVector vd = widen(x, xD + j);
            DoubleVector w0 = DoubleVector.fromArray(DOUBLES, w, wA + j);
            aa = va.fma(w0, aa);
            ba = vb.fma(w0, ba);
            ca = vc.fma(w0, ca);
            da = vd.fma(w0, da);
            DoubleVector w1 = DoubleVector.fromArray(DOUBLES, w, wB + j);
            ab = va.fma(w1, ab);
            bb = vb.fma(w1, bb);
            cb = vc.fma(w1, cb);
            db = vd.fma(w1, db);
        }
        block[0] = aa.reduceLanes(VectorOperators.ADD);
        block[1] = ab.reduceLanes(VectorOperators.ADD);
        block[4] = ba.reduceLanes(VectorOperators.ADD);
        block[5] = bb.reduceLanes(VectorOperators.ADD);
        block[8] = ca.reduceLanes(VectorOperators.ADD);
        block[9] = cb.reduceLanes(VectorOperators.ADD);
        block[12] = da.reduceLanes(VectorOperators.ADD);
        block[13] = db.reduceLanes(VectorOperators.ADD);
        storeBlock(tileStart, i, rows, k, j, block, z);
    }

    /** Where the tile's row i starts in the features; past the tile's last row, the last row (a stand-in). */
    private int rowAt(int tileStart, int i, int rows) {
        return (tileStart + Math.min(i, rows - 1)) * numFeatures;
    }

    /** Where class k's weights start; past K, the last class's (a stand-in). */
    private int classAt(int k) {
        return Math.min(k, numClasses - 1) * numFeatures;
    }

    private static DoubleVector widen(float[] x, int at) {
        return (DoubleVector) FloatVector.fromArray(FLOATS, x, at).convertShape(VectorOperators.F2D, DOUBLES, 0);
    }

    /**
     * Classes k .. k + 3 of the gradient: G_c[j] += Σ over the tile's rows, in row order, of r_nc · x_nj, LANES features
     * at a time held in registers across the rows; the last D mod LANES features one by one.
     */
    private void gradientBlock(int tileStart, int rows, int k, double[] r, double[] gradient) {
        int d = numFeatures;
        int padded = paddedClasses;
        float[] x = values;
        int gA = k * d;
        int gB = gA + d;
        int gC = gB + d;
        int gD = gC + d;
        int j = 0;
        for (; j < vectorFeatures; j += LANES) {
            DoubleVector a = DoubleVector.fromArray(DOUBLES, gradient, gA + j);
            DoubleVector b = DoubleVector.fromArray(DOUBLES, gradient, gB + j);
            DoubleVector c = DoubleVector.fromArray(DOUBLES, gradient, gC + j);
            DoubleVector e = DoubleVector.fromArray(DOUBLES, gradient, gD + j);
            for (int i = 0, row = tileStart * d + j, at = k; i < rows; i++, row += d, at += padded) {
                DoubleVector v = widen(x, row);
                a = v.fma(DoubleVector.broadcast(DOUBLES, r[at]), a);
                b = v.fma(DoubleVector.broadcast(DOUBLES, r[at + 1]), b);
                c = v.fma(DoubleVector.broadcast(DOUBLES, r[at + 2]), c);
                e = v.fma(DoubleVector.broadcast(DOUBLES, r[at + 3]), e);
            }
            a.intoArray(gradient, gA + j);
            b.intoArray(gradient, gB + j);
            c.intoArray(gradient, gC + j);
            e.intoArray(gradient, gD + j);
        }
        for (; j < d; j++) {
            double a = gradient[gA + j];
            double b = gradient[gB + j];
            double c = gradient[gC + j];
            double e = gradient[gD + j];
            for (int i = 0, row = tileStart * d + j, at = k; i < rows; i++, row += d, at += padded) {
                double v = x[row];
                a = Math.fma(v, r[at], a);
                b = Math.fma(v, r[at + 1], b);
                c = Math.fma(v, r[at + 2], c);
                e = Math.fma(v, r[at + 3], e);
            }
            gradient[gA + j] = a;
            gradient[gB + j] = b;
            gradient[gC + j] = c;
            gradient[gD + j] = e;
        }
    }

    /**
     * As {@link #gradientBlock} for classes k and k + 1 alone (k + 1 may be a padded class: residual 0, never read),
     * each entry's sum in the same order: the same bits.
     */
    private void gradientPair(int tileStart, int rows, int k, double[] r, double[] gradient) {
        int d = numFeatures;
        int padded = paddedClasses;
        float[] x = values;
        int gA = k * d;
        int gB = gA + d;
        int j = 0;
        for (; j < vectorFeatures; j += LANES) {
            DoubleVector a = DoubleVector.fromArray(DOUBLES, gradient, gA + j);
            DoubleVector b = DoubleVector.fromArray(DOUBLES, gradient, gB + j);
            for (int i = 0, row = tileStart * d + j, at = k; i < rows; i++, row += d, at += padded) {
                DoubleVector v = widen(x, row);
                a = v.fma(DoubleVector.broadcast(DOUBLES, r[at]), a);
                b = v.fma(DoubleVector.broadcast(DOUBLES, r[at + 1]), b);
            }
            a.intoArray(gradient, gA + j);
            b.intoArray(gradient, gB + j);
        }
        for (; j < d; j++) {
            double a = gradient[gA + j];
            double b = gradient[gB + j];
            for (int i = 0, row = tileStart * d + j, at = k; i < rows; i++, row += d, at += padded) {
                double v = x[row];
                a = Math.fma(v, r[at], a);
                b = Math.fma(v, r[at + 1], b);
            }
            gradient[gA + j] = a;
            gradient[gB + j] = b;
        }
    }

    /**
     * Turns the logits z[at..at+K) into residuals ω(y − p) in place (the padding after them stays 0) and returns
     * ω ln p_label, as {@link DoubleEvaluator} does: the row max subtracted first, 1 − p_label as Σ_{k≠label} p_k.
     */
    private double residuals(double[] z, int at, int label, double weight) {
        double logLikelihood = Softmax.residuals(z, at, numClasses, label, weight);
        for (int k = numClasses; k < paddedClasses; k++) {
            z[at + k] = 0;
        }
        return logLikelihood;
    }
}
