package org.softmax4j.engine.cuda;

/** The device has too little free memory for what was asked; the message gives the sizes. */
public final class DeviceMemoryException extends CudaException {
    public DeviceMemoryException(String message, int result) {
        super(message, result);
    }

    /** "1.50 GiB" and the like. */
    static String bytes(long count) {
        if (count < 1024) {
            return count + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = count;
        int unit = -1;
        do {
            value /= 1024;
            unit++;
        } while (value >= 1024 && unit < units.length - 1);
        return String.format(java.util.Locale.ROOT, "%.2f %s", value, units[unit]);
    }
}
