package org.softmax4j;

/**
 * The data (or the work on it) needs more memory than this JVM may use. The message is one line that says how much
 * is needed against how much there is, and how to give the JVM more ({@code JAVA_OPTS=-Xmx...}); the command line
 * turns it into exit code 3.
 */
public class MemoryShortage extends RuntimeException {
    public MemoryShortage(String message) {
        super(message);
    }

    /** The JVM's heap limit (-Xmx) in a few words: "1.0 GiB". */
    public static String describeBytes(double bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        while (bytes >= 1024 && unit < units.length - 1) {
            bytes /= 1024;
            unit++;
        }
        return unit == 0 ? String.format(java.util.Locale.ROOT, "%.0f %s", bytes, units[unit])
                : String.format(java.util.Locale.ROOT, "%.1f %s", bytes, units[unit]);
    }

    /** A heap size to suggest for {@code needed} bytes: the next power of two in GiB, at least 1 GiB ("-Xmx4g"). */
    public static String suggestedXmx(double needed) {
        long gib = 1;
        while (gib * (1L << 30) < needed * 1.5 && gib < (1L << 20)) {
            gib <<= 1;
        }
        return "-Xmx" + gib + "g";
    }
}
