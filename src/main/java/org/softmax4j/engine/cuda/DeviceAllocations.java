package org.softmax4j.engine.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * What one {@link CudaEvaluator} holds on the device: its buffers and the objects that own more (cuBLAS handle,
 * streamed rows), freed together by {@link #close()} in the reverse order of their making, so that the streamed rows
 * (made last) first wait for the device to finish with every buffer. On a failure part-way through a constructor,
 * closing frees what was made so far.
 */
final class DeviceAllocations implements AutoCloseable {
    private final List<AutoCloseable> owned = new ArrayList<>();

    /** Allocates a buffer that {@link #close()} frees. */
    DeviceBuffer buffer(String what, long bytes) {
        return own(DeviceBuffer.allocate(what, bytes));
    }

    /** Takes {@code resource}, which {@link #close()} closes. */
    <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    /** Forgets everything without freeing it: the context, and all that was allocated in it, is gone. */
    void abandon() {
        owned.clear();
    }

    /**
     * Frees everything on {@code device}'s context; on a device made unusable by a sticky error frees nothing and does
     * not throw ({@link #abandon}): the context, and everything allocated in it, is gone.
     */
    void release(CudaDevice device) {
        if (device.unusableReason() != null) {
            abandon();
            return;
        }
        device.makeCurrent();
        close();
    }

    /** Closes everything, each even when another fails; throws the first failure. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException(e);
                }
            }
        }
        owned.clear();
        if (first != null) {
            throw first;
        }
    }
}
