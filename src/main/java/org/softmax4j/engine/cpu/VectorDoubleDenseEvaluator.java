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
 * when jdk.incubator.vector is present. The data stays as it was loaded (float32); each tile of {@link #TILE} rows is
 * read from memory once in memory order ({@link #preload}), then widened to double once into a per-worker buffer that
 * the logits and the gradient of every class read.
 *
 * <p>Logits: blocks of 4 rows × 5 classes, 20 accumulators of LANES doubles, so that each load of W serves four rows
 * and each load of x serves five classes (9 loads for 20 fused multiply-adds). Each logit z_nk = b_k + (lane sum of
 * the FMA chain over the whole vectors of x) + (the remaining D mod LANES features, one by one): a function of (n, k)
 * alone, not of the block it was computed in. The residuals ω(y − p) are computed in double as {@link DoubleEvaluator}
 * does (1 − p_y as Σ_{k≠y} p_k). Gradient: per 2·LANES features, then per block of five classes, the ten gradient
 * registers stay in registers while the tile's rows are added in row order (G_k += r_nk·x_n), each broadcast residual
 * serving two registers of x; the next class block finds the same column of the tile in L1. Classes are taken 5 at
 * a time, K rounded up to a multiple of 5 (padded classes have residual 0; their entries are never read), unless 1 or
 * 2 classes remain, which blocks of 2 take ({@link #logitPair}, {@link #gradientPair}); each entry's sums are in the
 * same order whatever the block, so the bits do not depend on the blocking (nor on the widening, which is exact).
 *
 * <p>Threads: chunks of {@link #CHUNK_SIZE} rows, their slots added in chunk order ({@link DoubleChunks}): bitwise the
 * same for every thread count. Buffers are allocated once, at construction.
 */
final class VectorDoubleDenseEvaluator extends DoubleChunks {
    /** Rows per result slot: the unit of the fixed-order reduction. */
    static final int CHUNK_SIZE = 1024;
    /**
     * Rows widened, and residuals held, at once, at most; the gradient stays in registers over them. 64 rows of
     * D = 784 are 392 KiB of doubles, in the 1 MiB L2 of a Zen 4 core beside the weights and the gradient (16 rows were
     * 10% slower an evaluation, 32 the same as 64; see docs/PERFORMANCE.md). Wider rows get fewer ({@link #tileRows}).
     */
    static final int TILE = 64;
    /** The widened rows' budget per worker: half an L2. */
    private static final int TILE_BYTES = 512 * 1024;
    /** Classes per block of the logits and the gradient. */
    static final int BLOCK_CLASSES = 5;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_MAX;
    /** Floats with as many lanes as DOUBLES: one load of x widens to one register of doubles. */
    private static final VectorSpecies<Float> FLOATS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(DOUBLES.vectorBitSize() / 2));
    private static final int LANES = DOUBLES.length();
    /** Floats in a 64-byte cache line: the preload's step. */
    private static final int LINE_FLOATS = 16;

    private final float[] values;
    private final int[] labels;
    private final double[] exampleWeights;
    /** K padded: the five-class blocks, then 2 when a pair takes the last 1 or 2 classes. */
    private final int paddedClasses;
    /**
     * Classes taken 5 at a time: K rounded up to a multiple of 5, unless 1 or 2 classes remain, which a block of 2
     * takes (K = 17: 5 + 5 + 5 + 2, not 20 with 3 computed for nothing).
     */
    private final int fiveClassBlocks;
    /** Features that fill whole registers; the rest are added one by one. */
    private final int vectorFeatures;
    /** Rows per tile: {@link #TILE}, fewer where D is so large that TILE widened rows would not fit TILE_BYTES. */
    private final int tileRows;
    /** Per worker: the tile's rows widened to double, [row][vectorFeatures]. */
    private final double[][] widened;
    /** Per worker: logits, then residuals, of the tile's rows, [row][paddedClasses] (padded apart). */
    private final double[][] tiles;
    /** Per worker: where the preload's bits go (never read). */
    private final int[][] preloaded;
    /** Per worker: the FMA chains of the tile's logits, [row][paddedClasses][LANES], before their lane sums. */
    private final double[][] partialSums;

    // The call in progress: written by the calling thread before the pool's barrier, read by the workers after it.
    private double[] point;

    /**
     * @param exampleWeights ω_n per example (owned by the caller, not modified), or null for all 1
     * @param parallel       whether to run the chunks on the pool (else on the caller's thread; same result)
     */
    VectorDoubleDenseEvaluator(DenseDataset data, double[] exampleWeights, WorkerPool pool, boolean parallel) {
        super(data.numExamples(), data.numFeatures(), data.numClasses(), CHUNK_SIZE, paddedClasses(data.numClasses()),
                pool, parallel);
        this.values = data.values();
        this.labels = data.labels();
        this.exampleWeights = exampleWeights;
        this.paddedClasses = paddedClasses(numClasses);
        this.fiveClassBlocks = fiveClassBlocks(numClasses);
        this.vectorFeatures = DOUBLES.loopBound(numFeatures);
        this.tileRows = tileRows(vectorFeatures);
        this.widened = new double[pool.threads()][tileRows * vectorFeatures];
        this.tiles = new double[pool.threads()][tileRows * paddedClasses + 16];
        this.partialSums = new double[pool.threads()][tileRows * paddedClasses * LANES];
        this.preloaded = new int[pool.threads()][1];
    }

    private static int fiveClassBlocks(int classes) {
        int remainder = classes % BLOCK_CLASSES;
        return remainder == 1 || remainder == 2 ? classes - remainder
                : (classes + BLOCK_CLASSES - 1) / BLOCK_CLASSES * BLOCK_CLASSES;
    }

    /** A multiple of 4 (the logits' row blocks), 4 to TILE; a function of D alone (the bits need nothing more). */
    static int tileRows(int vectorFeatures) {
        return Math.max(4, Math.min(TILE, TILE_BYTES / (8 * Math.max(1, vectorFeatures))) & ~3);
    }

    private static int paddedClasses(int classes) {
        int blocks = fiveClassBlocks(classes);
        return blocks < classes ? blocks + 2 : blocks;
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
        VectorPaths.otherThanBinaryDouble();
        this.point = point;
    }

    @Override
    protected void finish() {
        this.point = null;
    }

    @Override
    protected void evaluateChunk(int chunk, int start, int end, int worker, double[] gradient) {
        Arrays.fill(gradient, 0.0);
        double[] xd = widened[worker];
        double[] z = tiles[worker];
        double[] sums = partialSums[worker];
        double logLikelihood = 0;
        long correct = 0;
        int classes = numClasses;
        int padded = paddedClasses;
        int biasOffset = classes * numFeatures;
        int fiveBlocks = fiveClassBlocks;
        for (int tileStart = start; tileStart < end; tileStart += tileRows) {
            int rows = Math.min(tileRows, end - tileStart);
            preload(tileStart, rows, worker);
            widen(tileStart, rows, xd);
            for (int i = 0; i < rows; i += 4) {
                int k = 0;
                for (; k < fiveBlocks; k += BLOCK_CLASSES) {
                    logitBlock(xd, i, rows, k, sums);
                }
                if (k < classes) {
                    logitPair(xd, i, rows, k, sums);
                }
            }
            logits(tileStart, rows, sums, z);
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
            for (int j = 0; j < vectorFeatures; j += 2 * LANES) {
                int k = 0;
                for (; k < fiveBlocks; k += BLOCK_CLASSES) {
                    gradientBlock(xd, j, rows, k, z, gradient);
                }
                if (k < classes) {
                    gradientPair(xd, j, rows, k, z, gradient);
                }
            }
            gradientTail(tileStart, rows, z, gradient);
        }
        record(chunk, logLikelihood, correct);
    }

    /**
     * The FMA chains over the whole registers of x of rows tileStart + i .. i + 3 and classes k .. k + 4, into
     * sums[row][class] (LANES wide, not yet summed); rows past {@code rows} and classes past K are computed on
     * stand-ins (the last row, the last class) into slots of their own, never read.
     */
    private void logitBlock(double[] xd, int i, int rows, int k, double[] sums) {
        int xA = rowAt(i, rows);
        int xB = rowAt(i + 1, rows);
        int xC = rowAt(i + 2, rows);
        int xD = rowAt(i + 3, rows);
        int wA = classAt(k);
        int wB = classAt(k + 1);
        int wC = classAt(k + 2);
        int wD = classAt(k + 3);
        int wE = classAt(k + 4);
        int sA = sumAt(i, k);
        int sB = sumAt(i + 1, k);
        int sC = sumAt(i + 2, k);
        int sD = sumAt(i + 3, k);
        double[] w = point;
        DoubleVector aa = DoubleVector.zero(DOUBLES);
        DoubleVector ab = aa;
        DoubleVector ac = aa;
        DoubleVector ad = aa;
        DoubleVector ae = aa;
        DoubleVector ba = aa;
        DoubleVector bb = aa;
        DoubleVector bc = aa;
        DoubleVector bd = aa;
        DoubleVector be = aa;
        DoubleVector ca = aa;
        DoubleVector cb = aa;
        DoubleVector cc = aa;
        DoubleVector cd = aa;
        DoubleVector ce = aa;
        DoubleVector da = aa;
        DoubleVector db = aa;
        DoubleVector dc = aa;
        DoubleVector dd = aa;
        DoubleVector de = aa;
        for (int j = 0; j < vectorFeatures; j += LANES) {
            DoubleVector va = DoubleVector.fromArray(DOUBLES, xd, xA + j);
            DoubleVector vb = DoubleVector.fromArray(DOUBLES, xd, xB + j);
            DoubleVector vc = DoubleVector.fromArray(DOUBLES, xd, xC + j);
            DoubleVector vd = DoubleVector.fromArray(DOUBLES, xd, xD + j);
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
            DoubleVector w4 = DoubleVector.fromArray(DOUBLES, w, wE + j);
            ae = va.fma(w4, ae);
            be = vb.fma(w4, be);
            ce = vc.fma(w4, ce);
            de = vd.fma(w4, de);
        }
        aa.intoArray(sums, sA);
        ab.intoArray(sums, sA + LANES);
        ac.intoArray(sums, sA + 2 * LANES);
        ad.intoArray(sums, sA + 3 * LANES);
        ae.intoArray(sums, sA + 4 * LANES);
        ba.intoArray(sums, sB);
        bb.intoArray(sums, sB + LANES);
        bc.intoArray(sums, sB + 2 * LANES);
        bd.intoArray(sums, sB + 3 * LANES);
        be.intoArray(sums, sB + 4 * LANES);
        ca.intoArray(sums, sC);
        cb.intoArray(sums, sC + LANES);
        cc.intoArray(sums, sC + 2 * LANES);
        cd.intoArray(sums, sC + 3 * LANES);
        ce.intoArray(sums, sC + 4 * LANES);
        da.intoArray(sums, sD);
        db.intoArray(sums, sD + LANES);
        dc.intoArray(sums, sD + 2 * LANES);
        dd.intoArray(sums, sD + 3 * LANES);
        de.intoArray(sums, sD + 4 * LANES);
    }

    /**
     * z[row][class] ← the lane sum of the row's and class's FMA chain + the features past the whole registers one by
     * one, for the tile's rows and K classes: each logit a function of (n, k) alone.
     */
    private void logits(int tileStart, int rows, double[] sums, double[] z) {
        int d = numFeatures;
        double[] w = point;
        float[] x = values;
        for (int i = 0; i < rows; i++) {
            int xr = (tileStart + i) * d;
            for (int k = 0; k < numClasses; k++) {
                double tail = 0;
                int wc = k * d;
                for (int t = vectorFeatures; t < d; t++) {
                    tail += w[wc + t] * x[xr + t];
                }
                z[i * paddedClasses + k] = DoubleVector.fromArray(DOUBLES, sums, sumAt(i, k))
                        .reduceLanes(VectorOperators.ADD) + tail;
            }
        }
    }

    /**
     * As {@link #logitBlock} for classes k and k + 1 alone (the last 1 or 2 classes; past K the last class stands in):
     * each logit's FMA chain is the same, so are its bits.
     */
    private void logitPair(double[] xd, int i, int rows, int k, double[] sums) {
        int xA = rowAt(i, rows);
        int xB = rowAt(i + 1, rows);
        int xC = rowAt(i + 2, rows);
        int xD = rowAt(i + 3, rows);
        int wA = classAt(k);
        int wB = classAt(k + 1);
        int sA = sumAt(i, k);
        int sB = sumAt(i + 1, k);
        int sC = sumAt(i + 2, k);
        int sD = sumAt(i + 3, k);
        double[] w = point;
        DoubleVector aa = DoubleVector.zero(DOUBLES);
        DoubleVector ab = aa;
        DoubleVector ba = aa;
        DoubleVector bb = aa;
        DoubleVector ca = aa;
        DoubleVector cb = aa;
        DoubleVector da = aa;
        DoubleVector db = aa;
        for (int j = 0; j < vectorFeatures; j += LANES) {
            DoubleVector va = DoubleVector.fromArray(DOUBLES, xd, xA + j);
            DoubleVector vb = DoubleVector.fromArray(DOUBLES, xd, xB + j);
            DoubleVector vc = DoubleVector.fromArray(DOUBLES, xd, xC + j);
            DoubleVector vd = DoubleVector.fromArray(DOUBLES, xd, xD + j);
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
        aa.intoArray(sums, sA);
        ab.intoArray(sums, sA + LANES);
        ba.intoArray(sums, sB);
        bb.intoArray(sums, sB + LANES);
        ca.intoArray(sums, sC);
        cb.intoArray(sums, sC + LANES);
        da.intoArray(sums, sD);
        db.intoArray(sums, sD + LANES);
    }

    /** Where the FMA chain of the tile's row i and class k lies in the partial sums. */
    private int sumAt(int i, int k) {
        return (i * paddedClasses + k) * LANES;
    }

    /** The whole registers of the tile's rows, widened from float32 to double into xd[row][vectorFeatures]. */
    private void widen(int tileStart, int rows, double[] xd) {
        float[] x = values;
        int d = numFeatures;
        int stride = vectorFeatures;
        for (int i = 0; i < rows; i++) {
            int from = (tileStart + i) * d;
            int to = i * stride;
            for (int j = 0; j < stride; j += LANES) {
                ((DoubleVector) FloatVector.fromArray(FLOATS, x, from + j)
                        .convertShape(VectorOperators.F2D, DOUBLES, 0)).intoArray(xd, to + j);
            }
        }
    }

    /**
     * Reads the tile's float32 rows once, a cache line at a time in memory order: loads with nothing waiting on them,
     * many in flight at once, where widening in the logits' four interleaved row streams stalled on memory at every
     * page (the logits took about twice the gradient's time for the same multiply-adds; this pass made an
     * evaluation ~0.85 of that one's CPU time; without it, the widening pass alone costs ~8% more an evaluation). The
     * tile (200 KiB at D = 784) then waits in L2. One float a line, its bits OR-ed (a one-cycle chain) and kept only
     * so that the loads are not optimised away. Plain Java on purpose: a FloatVector sum carried around this loop was
     * boxed on every line once C2 compiled without class-check speculation (PerMethodTrapLimit reached, as in a JVM
     * that has run other vector code: 1.7 GB per 100 evaluations of 2,000 × 784 under -XX:PerMethodTrapLimit=0;
     * docs/PERFORMANCE.md, the mixed-JVM slowdown).
     */
    private void preload(int tileStart, int rows, int worker) {
        float[] x = values;
        int bits = 0;
        int end = (tileStart + rows) * numFeatures;
        for (int at = tileStart * numFeatures; at < end; at += LINE_FLOATS) {
            bits |= Float.floatToRawIntBits(x[at]);
        }
        preloaded[worker][0] = bits;
    }

    /** Where the tile's row i starts in the widened buffer; past the tile's last row, the last row (a stand-in). */
    private int rowAt(int i, int rows) {
        return Math.min(i, rows - 1) * vectorFeatures;
    }

    /** Where class k's weights start; past K, the last class's (a stand-in). */
    private int classAt(int k) {
        return Math.min(k, numClasses - 1) * numFeatures;
    }

    /**
     * Features j .. j + 2·LANES of classes k .. k + 4 of the gradient (padded classes have residual 0, never read):
     * G_c[j] += Σ over the tile's rows, in row order, of r_nc · x_nj, held in registers across the rows; each
     * broadcast residual serves two registers of features. Where j is the last whole register, its column stands in
     * for the second (computed twice from the same start, the same bits stored twice).
     */
    private void gradientBlock(double[] xd, int j, int rows, int k, double[] r, double[] gradient) {
        int d = numFeatures;
        int stride = vectorFeatures;
        int padded = paddedClasses;
        int next = Math.min(j + LANES, stride - LANES) - j;
        int gA = k * d + j;
        int gB = gA + d;
        int gC = gB + d;
        int gD = gC + d;
        int gE = gD + d;
        DoubleVector a = DoubleVector.fromArray(DOUBLES, gradient, gA);
        DoubleVector b = DoubleVector.fromArray(DOUBLES, gradient, gB);
        DoubleVector c = DoubleVector.fromArray(DOUBLES, gradient, gC);
        DoubleVector e = DoubleVector.fromArray(DOUBLES, gradient, gD);
        DoubleVector f = DoubleVector.fromArray(DOUBLES, gradient, gE);
        DoubleVector a2 = DoubleVector.fromArray(DOUBLES, gradient, gA + next);
        DoubleVector b2 = DoubleVector.fromArray(DOUBLES, gradient, gB + next);
        DoubleVector c2 = DoubleVector.fromArray(DOUBLES, gradient, gC + next);
        DoubleVector e2 = DoubleVector.fromArray(DOUBLES, gradient, gD + next);
        DoubleVector f2 = DoubleVector.fromArray(DOUBLES, gradient, gE + next);
        for (int i = 0, row = j, at = k; i < rows; i++, row += stride, at += padded) {
            DoubleVector v = DoubleVector.fromArray(DOUBLES, xd, row);
            DoubleVector v2 = DoubleVector.fromArray(DOUBLES, xd, row + next);
            DoubleVector ra = DoubleVector.broadcast(DOUBLES, r[at]);
            a = v.fma(ra, a);
            a2 = v2.fma(ra, a2);
            DoubleVector rb = DoubleVector.broadcast(DOUBLES, r[at + 1]);
            b = v.fma(rb, b);
            b2 = v2.fma(rb, b2);
            DoubleVector rc = DoubleVector.broadcast(DOUBLES, r[at + 2]);
            c = v.fma(rc, c);
            c2 = v2.fma(rc, c2);
            DoubleVector re = DoubleVector.broadcast(DOUBLES, r[at + 3]);
            e = v.fma(re, e);
            e2 = v2.fma(re, e2);
            DoubleVector rf = DoubleVector.broadcast(DOUBLES, r[at + 4]);
            f = v.fma(rf, f);
            f2 = v2.fma(rf, f2);
        }
        a.intoArray(gradient, gA);
        b.intoArray(gradient, gB);
        c.intoArray(gradient, gC);
        e.intoArray(gradient, gD);
        f.intoArray(gradient, gE);
        a2.intoArray(gradient, gA + next);
        b2.intoArray(gradient, gB + next);
        c2.intoArray(gradient, gC + next);
        e2.intoArray(gradient, gD + next);
        f2.intoArray(gradient, gE + next);
    }

    /**
     * As {@link #gradientBlock} for classes k and k + 1 alone (k + 1 may be a padded class: residual 0, never read),
     * each entry's sum in the same order: the same bits.
     */
    private void gradientPair(double[] xd, int j, int rows, int k, double[] r, double[] gradient) {
        int d = numFeatures;
        int stride = vectorFeatures;
        int padded = paddedClasses;
        int next = Math.min(j + LANES, stride - LANES) - j;
        int gA = k * d + j;
        int gB = gA + d;
        DoubleVector a = DoubleVector.fromArray(DOUBLES, gradient, gA);
        DoubleVector b = DoubleVector.fromArray(DOUBLES, gradient, gB);
        DoubleVector a2 = DoubleVector.fromArray(DOUBLES, gradient, gA + next);
        DoubleVector b2 = DoubleVector.fromArray(DOUBLES, gradient, gB + next);
        for (int i = 0, row = j, at = k; i < rows; i++, row += stride, at += padded) {
            DoubleVector v = DoubleVector.fromArray(DOUBLES, xd, row);
            DoubleVector v2 = DoubleVector.fromArray(DOUBLES, xd, row + next);
            DoubleVector ra = DoubleVector.broadcast(DOUBLES, r[at]);
            a = v.fma(ra, a);
            a2 = v2.fma(ra, a2);
            DoubleVector rb = DoubleVector.broadcast(DOUBLES, r[at + 1]);
            b = v.fma(rb, b);
            b2 = v2.fma(rb, b2);
        }
        a.intoArray(gradient, gA);
        b.intoArray(gradient, gB);
        a2.intoArray(gradient, gA + next);
        b2.intoArray(gradient, gB + next);
    }

    /** The last D mod LANES features of every class's gradient, one by one, each entry's rows in row order. */
    private void gradientTail(int tileStart, int rows, double[] r, double[] gradient) {
        int d = numFeatures;
        int padded = paddedClasses;
        float[] x = values;
        for (int j = vectorFeatures; j < d; j++) {
            for (int k = 0; k < numClasses; k++) {
                int g = k * d + j;
                double a = gradient[g];
                for (int i = 0, row = tileStart * d + j, at = k; i < rows; i++, row += d, at += padded) {
                    a = Math.fma(x[row], r[at], a);
                }
                gradient[g] = a;
            }
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
