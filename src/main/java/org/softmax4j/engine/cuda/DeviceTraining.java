package org.softmax4j.engine.cuda;

import jcuda.Pointer;
import jcuda.Sizeof;

import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.ResidentAscent;

/**
 * Gradient ascent with W and b resident on the device, made by {@link CudaEvaluator#startDeviceTraining}. A step
 * evaluates the log-likelihood of a batch of B examples and its gradient at the current parameters, then moves them
 * on the device along the gradient of the batch's share of F = L − (λ/2)‖W‖² with {@code ascent_update_kernel}:
 * <pre>
 *   W ← W + (η/B)·(∂L_B/∂W − λ·(B/N)·W),   b ← b + (η/B)·∂L_B/∂b
 * </pre>
 * (λ·B/N: the batch's share of the penalty, so that the shares of one epoch add up to λ; B = N for a full batch).
 * A step allocates nothing, on the device or on the Java heap (the kernels' arguments, the chunks and the pointers it
 * copies through are made once; except on the cuBLAS logits path, unfused dense rows where cuBLAS loads), and reads
 * back one double. {@link #download()} brings the parameters back. On data streamed from host memory (see
 * {@link CudaEvaluator}) the steps work the same, W and b still on the device, but each step copies the rows to the
 * device again. Without a bias ({@code fitBias} false) b is uploaded once (zeros) and the b step is dropped, so b stays
 * as it was uploaded.
 */
public final class DeviceTraining implements ResidentAscent.Session {
    private final CudaEvaluator evaluator;
    private final DeviceBuffer weights;
    private final DeviceBuffer bias;
    private final boolean fitBias;
    /** Where each step reads the log-likelihood back to, and from: made once, so that a step allocates nothing. */
    private final double[] logLikelihood = new double[1];
    private final Pointer logLikelihoodPointer = Pointer.to(logLikelihood);
    private final DeviceBuffer.Region logLikelihoodOnDevice;
    private boolean closed;

    DeviceTraining(CudaEvaluator evaluator, Parameters start, boolean fitBias) {
        this.evaluator = evaluator;
        this.fitBias = fitBias;
        int numClasses = start.numClasses();
        int numFeatures = start.numFeatures();
        this.weights = evaluator.allocate("training weights (" + numClasses + "x" + numFeatures + " floats)",
                (long) numClasses * numFeatures * Sizeof.FLOAT);
        DeviceBuffer allocated = null;
        try {
            allocated = evaluator.allocate("training bias (" + numClasses + " floats)",
                    (long) numClasses * Sizeof.FLOAT);
            evaluator.uploadParameters(start, weights, allocated);
        } catch (RuntimeException e) {
            weights.close();
            if (allocated != null) {
                allocated.close();
            }
            throw e;
        }
        this.bias = allocated;
        this.logLikelihoodOnDevice = evaluator.sums().region(evaluator.logLikelihoodOffset(), Sizeof.DOUBLE);
    }

    /**
     * One full-batch step.
     *
     * @param learningRate η
     * @param lambda       λ of the penalty (λ/2)‖W‖²
     * @return L, the log-likelihood (without the penalty) at the parameters before this step
     */
    @Override
    public double step(double learningRate, double lambda) {
        return step(null, 0, evaluator.numExamples(), learningRate, lambda);
    }

    /**
     * One mini-batch step over {@code examples[from..to)} (null: rows from..to in data order): step η/B, penalty
     * share λ·B/N.
     *
     * @return L of the batch at the parameters before this step
     */
    public double step(int[] examples, int from, int to, double learningRate, double lambda) {
        checkOpen();
        evaluator.ascend(weights, bias, examples, from, to, learningRate, lambda, fitBias);
        logLikelihoodOnDevice.download(logLikelihoodPointer);
        return logLikelihood[0];
    }

    /** The current parameters, copied to the host. */
    @Override
    public Parameters download() {
        checkOpen();
        return evaluator.downloadParameters(weights, bias);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the device training run is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (evaluator.cudaDevice().unusableReason() != null) {
                return; // The context is gone with its buffers (see CudaEvaluator.close).
            }
            evaluator.cudaDevice().makeCurrent();
            try {
                weights.close();
            } finally {
                bias.close();
            }
        }
    }
}
