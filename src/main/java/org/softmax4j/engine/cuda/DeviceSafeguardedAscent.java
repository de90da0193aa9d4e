package org.softmax4j.engine.cuda;

import jcuda.Pointer;
import jcuda.Sizeof;

import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.ResidentSafeguardedAscent;

/**
 * The automatic step's ascent with its vectors on the device, made by {@link CudaEvaluator#startSafeguardedAscent}:
 * y (the point evaluated, in double, and rounded to float in W and b for the kernels), x_k, the best point (double and
 * float) and the data sums of the duality gap stay there for the whole run. A step is {@code momentum_update_kernel}
 * (the step and the float rounding), the evaluation's kernels, and {@code ascent_sums_kernel}, whose K·12 + 2 doubles
 * are the one read-back (the unfused path also reads its chunks' counts). Keeping and restoring the best point are
 * device-to-device copies. Every buffer is allocated here, once; a step allocates nothing on the device or the Java
 * heap (except on the cuBLAS logits path, as {@link DeviceTraining}).
 */
final class DeviceSafeguardedAscent implements ResidentSafeguardedAscent.Session {
    private static final int ROW = ResidentSafeguardedAscent.ROW;

    private final CudaEvaluator evaluator;
    private final Kernels kernels;
    private final int numClasses;
    private final int numFeatures;
    private final ResidentSafeguardedAscent.Geometry geometry;
    private final int fitBias;
    private final DeviceAllocations allocations = new DeviceAllocations();
    private final DeviceBuffer weights;
    private final DeviceBuffer bias;
    private final DeviceBuffer point;
    private final DeviceBuffer previous;
    private final DeviceBuffer best;
    private final DeviceBuffer bestWeights;
    private final DeviceBuffer bestBias;
    /** μ, S, s and c, or null where the geometry has none. */
    private final DeviceBuffer means;
    private final DeviceBuffer classSums;
    private final DeviceBuffer featureSums;
    private final DeviceBuffer classWeights;
    private final DeviceBuffer out;
    private final double[] sums;
    private final Pointer sumsPointer;
    private boolean closed;

    DeviceSafeguardedAscent(CudaEvaluator evaluator, Parameters start, ResidentSafeguardedAscent.Geometry geometry,
                            double step) {
        this.evaluator = evaluator;
        this.kernels = evaluator.kernels();
        this.geometry = geometry;
        this.numClasses = start.numClasses();
        this.numFeatures = start.numFeatures();
        this.fitBias = geometry.fitBias() ? 1 : 0;
        long numWeights = (long) numClasses * numFeatures;
        long numParameters = numWeights + numClasses;
        this.sums = new double[numClasses * ROW + 2];
        this.sumsPointer = Pointer.to(sums);
        try {
            weights = floats("weights", numWeights);
            bias = floats("bias", numClasses);
            point = doubles("point y", numParameters);
            previous = doubles("previous step's end", numParameters);
            best = doubles("best point", numParameters);
            bestWeights = floats("best weights", numWeights);
            bestBias = floats("best bias", numClasses);
            means = geometry.means() == null ? null : upload(doubles("feature means", numFeatures), geometry.means());
            boolean gap = geometry.classSums() != null;
            classSums = gap ? upload(doubles("class sums", numWeights), geometry.classSums()) : null;
            featureSums = gap ? upload(doubles("feature sums", numFeatures), geometry.featureSums()) : null;
            classWeights = gap ? upload(doubles("class weights", numClasses), geometry.classWeights()) : null;
            out = doubles("ascent sums", sums.length);
            evaluator.uploadParameters(start, weights, bias);
            double[] startPoint = new double[(int) numParameters];
            for (int i = 0; i < numWeights; i++) {
                startPoint[i] = start.weights()[i];
            }
            for (int k = 0; k < numClasses; k++) {
                startPoint[(int) numWeights + k] = start.bias()[k];
            }
            upload(point, startPoint);
            previous.copyFrom(point);
            keepBest();
            evaluate(step);
        } catch (RuntimeException | Error e) {
            try {
                allocations.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private DeviceBuffer floats(String what, long count) {
        return allocations.own(evaluator.allocate("safeguarded ascent: " + what + " (" + count + " floats)",
                count * Sizeof.FLOAT));
    }

    private DeviceBuffer doubles(String what, long count) {
        return allocations.own(evaluator.allocate("safeguarded ascent: " + what + " (" + count + " doubles)",
                count * Sizeof.DOUBLE));
    }

    private static DeviceBuffer upload(DeviceBuffer buffer, double[] values) {
        buffer.upload(Pointer.to(values), 0, (long) values.length * Sizeof.DOUBLE);
        return buffer;
    }

    private static long address(DeviceBuffer buffer) {
        return buffer == null ? 0 : buffer.address();
    }

    /** Evaluates at y and reads the sums back, the slope taken with {@code step}. */
    private void evaluate(double step) {
        evaluator.sumsAt(weights, bias);
        DeviceBuffer evaluated = evaluator.sums();
        kernels.ascentSums(weights.address(), bias.address(), evaluated.address(), point.address(),
                previous.address(), address(means), address(classSums), address(featureSums), address(classWeights),
                geometry.totalWeight(), geometry.lambda(), step, geometry.biasRatio(), fitBias, numClasses,
                numFeatures, out.address());
        out.download(sumsPointer, 0, (long) sums.length * Sizeof.DOUBLE);
        if (!evaluator.fused()) {
            sums[numClasses * ROW + 1] = evaluator.unfusedCorrect();
        }
    }

    @Override
    public double[] sums() {
        checkOpen();
        return sums;
    }

    @Override
    public void step(double step, double beta) {
        checkOpen();
        evaluator.cudaDevice().makeCurrent();
        kernels.momentumUpdate(weights.address(), bias.address(), point.address(), previous.address(),
                evaluator.sums().address(), out.address(), address(means), geometry.lambda(), step, beta,
                geometry.biasRatio(), fitBias, numClasses, numFeatures);
        evaluate(step);
    }

    @Override
    public void keepBest() {
        checkOpen();
        evaluator.cudaDevice().makeCurrent();
        best.copyFrom(point);
        bestWeights.copyFrom(weights);
        bestBias.copyFrom(bias);
    }

    @Override
    public void restoreBest(double step) {
        checkOpen();
        evaluator.cudaDevice().makeCurrent();
        point.copyFrom(best);
        previous.copyFrom(best);
        weights.copyFrom(bestWeights);
        bias.copyFrom(bestBias);
        evaluate(step);
    }

    @Override
    public Parameters download() {
        return download(weights, bias);
    }

    @Override
    public Parameters downloadBest() {
        return download(bestWeights, bestBias);
    }

    @Override
    public void downloadVectors(double[] y, double[] x, double[] bestPoint) {
        checkOpen();
        evaluator.cudaDevice().makeCurrent();
        download(point, y);
        download(previous, x);
        download(best, bestPoint);
    }

    @Override
    public void uploadVectors(double[] y, double[] x, double[] bestPoint, double step) {
        checkOpen();
        evaluator.cudaDevice().makeCurrent();
        upload(point, y);
        upload(previous, x);
        upload(best, bestPoint);
        evaluator.uploadParameters(rounded(y), weights, bias);
        evaluator.uploadParameters(rounded(bestPoint), bestWeights, bestBias);
        evaluate(step);
    }

    private void download(DeviceBuffer buffer, double[] into) {
        if (into.length != numClasses * (numFeatures + 1)) {
            throw new IllegalArgumentException("a vector of " + into.length + " doubles, expected K·(D + 1) = "
                    + numClasses * (numFeatures + 1));
        }
        buffer.download(Pointer.to(into), 0, (long) into.length * Sizeof.DOUBLE);
    }

    /** W and b rounded to float as momentum_update_kernel rounds y (round to nearest). */
    private Parameters rounded(double[] vector) {
        Parameters parameters = new Parameters(numClasses, numFeatures);
        float[] w = parameters.weights();
        float[] b = parameters.bias();
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) vector[i];
        }
        for (int k = 0; k < numClasses; k++) {
            b[k] = (float) vector[w.length + k];
        }
        return parameters;
    }

    private Parameters download(DeviceBuffer w, DeviceBuffer b) {
        checkOpen();
        return evaluator.downloadParameters(w, b);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the device's safeguarded ascent is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            allocations.release(evaluator.cudaDevice());
        }
    }
}
