package org.softmax4j.engine.cpu;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import org.softmax4j.TestData;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

/**
 * Measures, in a JVM of its own, what 100 evaluations of the double-precision evaluator (or, for a kind ending in
 * "-float", of the float32 engine on one thread) allocate once the JIT has compiled them (see {@link
 * DoubleSimdChecks#assertAnEvaluationAllocatesNothing}). Prints the bytes of the last window measured, or
 * "unsupported" where the JVM does not count a thread's allocations.
 */
public final class AllocationProbe {
    private static final int WARM_UP = 3000;
    private static final int WINDOW = 100;
    private static final long PATIENCE_NANOS = 60_000_000_000L;

    private AllocationProbe() {
    }

    /**
     * args: kind (binary or dense, then "-float" for the float32 engine or "-after-other-vector-code" for the
     * double evaluation where another vector path has run; "binary-after-dense-float": the float32 engine on bit-packed
     * rows after dense float and double evaluations in the same JVM), n, d, k, data seed, point seed.
     */
    public static void main(String[] args) {
        int n = Integer.parseInt(args[1]);
        int d = Integer.parseInt(args[2]);
        int k = Integer.parseInt(args[3]);
        long dataSeed = Long.parseLong(args[4]);
        Dataset data = args[0].startsWith("binary") ? TestData.randomBinary(n, d, k, dataSeed)
                : TestData.randomDense(n, d, k, dataSeed);
        double[] point = DoubleSimdChecks.randomPoint(k * d + k, Long.parseLong(args[5]));
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean)
                || !bean.isThreadAllocatedMemorySupported()) {
            System.out.println("unsupported");
            return;
        }
        if (args[0].equals("binary-after-dense-float")) {
            evaluateDense(d, k, point);
        }
        if (args[0].endsWith("-float")) {
            Parameters parameters = new Parameters(k, d);
            for (int i = 0; i < k * d; i++) {
                parameters.weights()[i] = (float) point[i];
            }
            for (int i = 0; i < k; i++) {
                parameters.bias()[i] = (float) point[k * d + i];
            }
            Evaluation out = new Evaluation(k, d);
            // One thread: the engine's single worker runs on the calling thread, whose allocations are counted.
            try (CpuEngine engine = new CpuEngine(1); Evaluator evaluator = engine.bind(data)) {
                System.out.println(allocatedByWindow(bean, () -> evaluator.evaluate(parameters, out)));
            }
            return;
        }
        double[] gradient = new double[point.length];
        if (args[0].endsWith("-after-other-vector-code")) {
            // As where another vector path has evaluated in this JVM: the evaluator takes its plain softmax.
            VectorPaths.otherThanBinaryDouble();
        }
        try (DoubleEvaluator evaluator = new DoubleEvaluator(data, null, 1)) {
            System.out.println(allocatedByWindow(bean, () -> evaluator.evaluate(point, gradient)));
        }
    }

    /**
     * 3,000 evaluations of dense rows by the float32 engine and by the double evaluator, as a dense fit would leave the
     * JVM (type profiles and traps in the JDK's shared Vector API methods): the binary evaluator made after takes its
     * plain softmax, whose compiled code must not box what the dense code left behind.
     */
    private static void evaluateDense(int d, int k, double[] point) {
        Dataset dense = TestData.randomDense(300, d, k, 5);
        Parameters parameters = new Parameters(k, d);
        for (int i = 0; i < k * d; i++) {
            parameters.weights()[i] = (float) point[i];
        }
        Evaluation out = new Evaluation(k, d);
        double[] gradient = new double[point.length];
        try (CpuEngine engine = new CpuEngine(1); Evaluator floats = engine.bind(dense);
             DoubleEvaluator doubles = new DoubleEvaluator(dense, null, 1)) {
            for (int i = 0; i < WARM_UP; i++) {
                floats.evaluate(parameters, out);
                doubles.evaluate(point, gradient);
            }
        }
    }

    /** After the warm-up, the bytes of the first window that allocates nothing, or of the last one at the deadline. */
    private static long allocatedByWindow(com.sun.management.ThreadMXBean bean, Runnable evaluation) {
        for (int i = 0; i < WARM_UP; i++) {
            evaluation.run();
        }
        long thread = Thread.currentThread().getId();
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        long allocated;
        do {
            long before = bean.getThreadAllocatedBytes(thread);
            for (int i = 0; i < WINDOW; i++) {
                evaluation.run();
            }
            allocated = bean.getThreadAllocatedBytes(thread) - before;
        } while (allocated >= WINDOW * 16 && System.nanoTime() < deadline);
        return allocated;
    }

    /** Runs {@link #main} in a child JVM with this JVM's classes and the options given; returns what it printed. */
    static String runInFreshJvm(String kind, int n, int d, int k, long dataSeed, long pointSeed, String... jvmOptions) {
        List<String> arguments = new ArrayList<>();
        arguments.add("--add-modules=jdk.incubator.vector");
        arguments.addAll(List.of(jvmOptions));
        arguments.add("-cp");
        // JUnit's jars too: DoubleSimdChecks (randomPoint) refers to its assertions.
        arguments.add(FreshJvm.classPath(DoubleEvaluator.class, AllocationProbe.class,
                org.junit.jupiter.api.Assertions.class, org.opentest4j.AssertionFailedError.class));
        arguments.add(AllocationProbe.class.getName());
        for (Object arg : new Object[] {kind, n, d, k, dataSeed, pointSeed}) {
            arguments.add(String.valueOf(arg));
        }
        return FreshJvm.lastLine("the allocation probe", 120, arguments);
    }
}
