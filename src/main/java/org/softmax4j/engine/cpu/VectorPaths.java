package org.softmax4j.engine.cpu;

/**
 * Which of the engine's Vector API paths this JVM has run, for the one choice that depends on it: an evaluator of
 * bit-packed rows (double, or the float32 engine's) made while no dense vector evaluator (float or double) has evaluated
 * in this JVM takes the SIMD softmax ({@link VectorDoubleSoftmax}, {@link VectorSoftmax}), one made after takes the
 * plain one ({@link PolynomialSoftmax}, {@link Softmax#residualsOfRows}: the same bits). The float32 engine's SIMD
 * softmax after dense evaluations allocated 7 MB to 0.9 GB per 100 evaluations of 1,000 rows and took up to 3.5 times
 * its CPU (6 of 6 JVMs).
 * C2 on JDK 17 compiled the SIMD softmax into the Vector API's boxed Java fallbacks after dense fits had left
 * class-check traps in the JDK's shared vector methods (2.3× the CPU and 136 GB allocated by one binary fit of 10⁶ rows
 * after a dense fit; see {@link PolynomialSoftmax}), never in a JVM that had fitted bit-packed rows only (the float
 * engine's evaluations and predictions of bit-packed rows included): that JVM (the CLI's {@code train} on binary data,
 * a Spark application of binary fits) keeps the faster SIMD one, about a quarter of an evaluation's time less.
 */
final class VectorPaths {
    private static volatile boolean others;

    private VectorPaths() {
    }

    /** Called by the dense vector evaluators before they evaluate. */
    static void otherThanBinaryDouble() {
        if (!others) {
            others = true;
        }
    }

    static boolean onlyBinaryDoubleSoFar() {
        return !others;
    }
}
