package org.softmax4j.engine.cpu;

/**
 * Whether the SIMD paths can be used: the incubating module jdk.incubator.vector must be in the boot layer (the
 * launcher adds it with {@code --add-modules jdk.incubator.vector}); without it the scalar paths run, with the same
 * results up to float rounding. {@code -Dsoftmax4j.vector=false} turns the SIMD paths off.
 */
public final class Vectors {
    private static final String MODULE = "jdk.incubator.vector";
    private static final boolean AVAILABLE = probe();

    private Vectors() {
    }

    public static boolean available() {
        return AVAILABLE;
    }

    /**
     * Floats in the SIMD paths' registers (16 with AVX-512, 8 with AVX2, 4 with 128-bit vectors), or 0 where they do
     * not run. Sums across lanes follow it, so the last bits of the dense SIMD paths do too.
     */
    public static int floatLanes() {
        return AVAILABLE ? VectorInfo.lanes() : 0;
    }

    /** One line for people: whether SIMD is used, and if not, why. */
    public static String describe() {
        if (AVAILABLE) {
            return "SIMD (" + VectorInfo.lanes() + " float lanes)";
        }
        if (!"true".equalsIgnoreCase(System.getProperty("softmax4j.vector", "true"))) {
            return "scalar (SIMD turned off by -Dsoftmax4j.vector=false)";
        }
        return "scalar (start the JVM with --add-modules " + MODULE + " for SIMD)";
    }

    private static boolean probe() {
        if (!"true".equalsIgnoreCase(System.getProperty("softmax4j.vector", "true"))) {
            return false;
        }
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            return false;
        }
        try {
            return VectorInfo.lanes() >= 4;
        } catch (LinkageError e) {
            return false;
        }
    }

    /** Touches the Vector API only when called, so that this class loads without the module. */
    private static final class VectorInfo {
        static int lanes() {
            return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        }
    }
}
