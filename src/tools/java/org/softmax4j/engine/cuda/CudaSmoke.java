package org.softmax4j.engine.cuda;

import java.util.List;

import org.softmax4j.EngineAssertions;
import org.softmax4j.TestData;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Parameters;

/**
 * Every kernel once, on small awkward shapes, checked against the double reference; for compute-sanitizer
 * (memcheck, racecheck) in scripts/gpu-check.sh. Eight configurations (K = 10 and 40, dense and binary, fused and
 * unfused), each one run whatever the others did, so that a sanitizer sees them all: one line per configuration
 * ("ok" or "FAIL", with the exception when one was thrown), then a count. Exits 1 when any failed, 2 without a GPU.
 * The comparison goes through {@link EngineAssertions}, which throws JUnit's assertion errors: JUnit's API must be
 * on the class path (gpu-check.sh adds the console launcher's jar).
 */
public final class CudaSmoke {
    private CudaSmoke() {
    }

    public static void main(String[] args) {
        CudaProbe.Result probe = CudaProbe.result();
        if (!probe.available()) {
            System.out.println("no usable GPU: " + probe.reason());
            System.exit(2);
        }
        CudaDevice device = probe.device();
        System.out.println("device: " + probe.summary());
        int configurations = 0;
        int failures = 0;
        for (int k : new int[]{10, 40}) {
            int n = 1025;
            int d = 130;
            Parameters parameters = Parameters.random(k, d, 0.5, k);
            for (Dataset data : List.of(TestData.randomDense(n, d, k, 5), TestData.randomBinary(n, d, k, 5))) {
                for (boolean fused : new boolean[]{true, false}) {
                    configurations++;
                    String what = data.getClass().getSimpleName() + " K=" + k + (fused ? " fused" : " unfused");
                    try {
                        what = runOne(device, data, parameters, fused);
                        System.out.println("ok   " + what);
                    } catch (AssertionError e) {
                        failures++;
                        System.out.println("FAIL " + e.getMessage());
                    } catch (RuntimeException | LinkageError e) {
                        // A CUDA error, or a missing class: name the configuration, carry on with the next one.
                        failures++;
                        System.out.println("FAIL " + what + ": " + e);
                    }
                }
            }
        }
        System.out.println("smoke: " + (configurations - failures) + " of " + configurations + " configurations ok");
        System.exit(failures == 0 ? 0 : 1);
    }

    /** One configuration: every launch path once, then the full evaluation against the reference; returns its name. */
    private static String runOne(CudaDevice device, Dataset data, Parameters parameters, boolean fused) {
        int n = data.numExamples();
        int k = data.numClasses();
        int d = data.numFeatures();
        try (CudaEngine engine = new CudaEngine(device, fused);
             CudaEvaluator evaluator = engine.bind(data)) {
            String what = data.getClass().getSimpleName() + " K=" + k + " " + evaluator.kernelPath();
            Evaluation out = new Evaluation(k, d);
            evaluator.evaluate(parameters, out);
            int[] order = new int[n / 2];
            for (int i = 0; i < order.length; i++) {
                order[i] = (int) ((i * 7919L) % n);
            }
            evaluator.evaluate(parameters, order, 0, order.length, new Evaluation(k, d));
            evaluator.probabilities(parameters, new float[n * k]);
            try (DeviceTraining training = evaluator.startDeviceTraining(parameters)) {
                training.step(1.0, 1.0);
                training.download();
            }
            EngineAssertions.assertMatchesReference(data, parameters, out, what);
            return what;
        }
    }
}
