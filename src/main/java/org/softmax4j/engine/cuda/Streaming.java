package org.softmax4j.engine.cuda;

/**
 * When to stream an evaluator's data from host memory and in which chunks: the settings {@link DevicePlan} applies.
 *
 * @param maxResidentBytes data sets above this (rows plus labels, in bytes) are streamed even when they fit
 * @param chunkBytes       bytes of rows and labels per streamed chunk of the fused path; 0 for the default rule
 */
record Streaming(long maxResidentBytes, long chunkBytes) {
    /** Stream only what does not fit, in chunks of the default size. */
    static final Streaming DEFAULT = new Streaming(Long.MAX_VALUE, 0);

    Streaming {
        if (maxResidentBytes < 0) {
            throw new IllegalArgumentException(CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY + " is " + maxResidentBytes
                    + ", expected a number of bytes >= 0");
        }
        if (chunkBytes < 0) {
            throw new IllegalArgumentException(CudaEvaluator.STREAM_CHUNK_BYTES_PROPERTY + " is " + chunkBytes
                    + ", expected a number of bytes > 0 (or 0 for the default)");
        }
    }

    /**
     * From {@value CudaEvaluator#MAX_RESIDENT_BYTES_PROPERTY} and {@value CudaEvaluator#STREAM_CHUNK_BYTES_PROPERTY},
     * when set.
     */
    static Streaming fromSystemProperties() {
        return new Streaming(property(CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY, Long.MAX_VALUE),
                property(CudaEvaluator.STREAM_CHUNK_BYTES_PROPERTY, 0));
    }

    private static long property(String name, long absent) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            return absent;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + "=" + value + ": expected a number of bytes", e);
        }
    }
}
