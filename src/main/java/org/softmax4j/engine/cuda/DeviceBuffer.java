package org.softmax4j.engine.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * One allocation of device memory, freed by {@link #close()} (safe to call twice). Copies are synchronous and
 * checked against the size. The caller makes the context current before using it.
 */
final class DeviceBuffer implements AutoCloseable {
    private final String what;
    private final long bytes;
    private final CUdeviceptr pointer;
    private boolean closed;

    private DeviceBuffer(String what, long bytes, CUdeviceptr pointer) {
        this.what = what;
        this.bytes = bytes;
        this.pointer = pointer;
    }

    /**
     * Allocates {@code bytes} (at least 8, so that empty buffers are still valid pointers).
     *
     * @param what what the buffer holds, for messages: "weights (10x64 floats)"
     * @throws DeviceMemoryException when the device is out of memory, with the size asked and the size free
     */
    static DeviceBuffer allocate(String what, long bytes) {
        long size = Math.max(8, bytes);
        CUdeviceptr pointer = new CUdeviceptr();
        int result = JCudaDriver.cuMemAlloc(pointer, size);
        if (result == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            long[] free = new long[1];
            long[] total = new long[1];
            JCudaDriver.cuMemGetInfo(free, total);
            throw new DeviceMemoryException("out of device memory: " + what + " needs "
                    + DeviceMemoryException.bytes(size) + ", " + DeviceMemoryException.bytes(free[0]) + " of "
                    + DeviceMemoryException.bytes(total[0]) + " are free (cuMemAlloc: "
                    + CUresult.stringFor(result) + ")", result);
        }
        Driver.check("cuMemAlloc(" + what + ", " + DeviceMemoryException.bytes(size) + ")", result);
        return new DeviceBuffer(what, size, pointer);
    }

    CUdeviceptr pointer() {
        checkOpen();
        return pointer;
    }

    /** The address {@code byteOffset} bytes in. */
    CUdeviceptr at(long byteOffset) {
        checkRange(byteOffset, 0);
        return pointer.withByteOffset(byteOffset);
    }

    long bytes() {
        return bytes;
    }

    void upload(Pointer host, long byteOffset, long count) {
        checkRange(byteOffset, count);
        Driver.check("cuMemcpyHtoD(" + what + ", " + count + " bytes)",
                JCudaDriver.cuMemcpyHtoD(pointer.withByteOffset(byteOffset), host, count));
    }

    void download(Pointer host, long byteOffset, long count) {
        checkRange(byteOffset, count);
        Driver.check("cuMemcpyDtoH(" + what + ", " + count + " bytes)",
                JCudaDriver.cuMemcpyDtoH(host, pointer.withByteOffset(byteOffset), count));
    }

    /** Sets every 32-bit word to {@code value}. */
    void fill32(int value) {
        checkOpen();
        Driver.check("cuMemsetD32(" + what + ")", JCudaDriver.cuMemsetD32(pointer, value, bytes / 4));
    }

    private void checkRange(long byteOffset, long count) {
        checkOpen();
        if (byteOffset < 0 || count < 0 || byteOffset + count > bytes) {
            throw new IllegalArgumentException(what + ": bytes [" + byteOffset + ", " + (byteOffset + count)
                    + ") are outside the buffer of " + bytes);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(what + " was freed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Driver.check("cuMemFree(" + what + ")", JCudaDriver.cuMemFree(pointer));
        }
    }
}
