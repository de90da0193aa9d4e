package org.softmax4j.engine.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * One allocation of device memory, freed by {@link #close()} (safe to call twice). Copies are synchronous and
 * checked against the size. The caller makes the context current before using it.
 *
 * <p>Kernel arguments take the raw address ({@link #address(long)}: no object made); driver calls that take a
 * {@link CUdeviceptr} get {@link #pointer()}, or {@link #at(long)} (a new object) or a {@link Region} made once, for
 * code that runs per training step and must allocate nothing. Messages are built only when a call fails.
 */
final class DeviceBuffer implements AutoCloseable {
    private final String what;
    private final long bytes;
    private final Address pointer;
    private boolean closed;

    /** A CUdeviceptr whose raw value can be read: what a kernel argument holds. */
    private static final class Address extends CUdeviceptr {
        long raw() {
            return getNativePointer();
        }
    }

    private DeviceBuffer(String what, long bytes, Address pointer) {
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
        Address pointer = new Address();
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

    /** The address {@code byteOffset} bytes in, as a new pointer object. */
    CUdeviceptr at(long byteOffset) {
        checkRange(byteOffset, 0);
        return pointer.withByteOffset(byteOffset);
    }

    /** The raw device address {@code byteOffset} bytes in, for a kernel argument. */
    long address(long byteOffset) {
        checkRange(byteOffset, 0);
        return pointer.raw() + byteOffset;
    }

    /** The raw device address of the buffer. */
    long address() {
        checkOpen();
        return pointer.raw();
    }

    long bytes() {
        return bytes;
    }

    void upload(Pointer host, long byteOffset, long count) {
        checkRange(byteOffset, count);
        int result = JCudaDriver.cuMemcpyHtoD(byteOffset == 0 ? pointer : pointer.withByteOffset(byteOffset), host,
                count);
        if (result != CUresult.CUDA_SUCCESS) {
            Driver.check("cuMemcpyHtoD(" + what + ", " + count + " bytes)", result);
        }
    }

    void download(Pointer host, long byteOffset, long count) {
        checkRange(byteOffset, count);
        int result = JCudaDriver.cuMemcpyDtoH(host, byteOffset == 0 ? pointer : pointer.withByteOffset(byteOffset),
                count);
        if (result != CUresult.CUDA_SUCCESS) {
            Driver.check("cuMemcpyDtoH(" + what + ", " + count + " bytes)", result);
        }
    }

    /** Copies all of {@code source}, of the same size, into this buffer, in order on the legacy default stream. */
    void copyFrom(DeviceBuffer source) {
        checkOpen();
        source.checkOpen();
        if (source.bytes != bytes) {
            throw new IllegalArgumentException("copy of " + source.what + " (" + source.bytes + " bytes) into " + what
                    + " (" + bytes + " bytes)");
        }
        int result = JCudaDriver.cuMemcpyDtoD(pointer, source.pointer, bytes);
        if (result != CUresult.CUDA_SUCCESS) {
            Driver.check("cuMemcpyDtoD(" + source.what + " to " + what + ")", result);
        }
    }

    /** Sets every 32-bit word to {@code value}. */
    void fill32(int value) {
        checkOpen();
        Driver.check("cuMemsetD32(" + what + ")", JCudaDriver.cuMemsetD32(pointer, value, bytes / 4));
    }

    /** {@code count} bytes from {@code byteOffset} on, with their pointer made once. */
    Region region(long byteOffset, long count) {
        checkRange(byteOffset, count);
        return new Region(pointer.withByteOffset(byteOffset), count);
    }

    /** A fixed part of this buffer, for copies and fills that must allocate nothing. */
    final class Region {
        private final CUdeviceptr at;
        private final long count;

        private Region(CUdeviceptr at, long count) {
            this.at = at;
            this.count = count;
        }

        /** Copies the region to {@code host} (synchronous). */
        void download(Pointer host) {
            checkOpen();
            int result = JCudaDriver.cuMemcpyDtoH(host, at, count);
            if (result != CUresult.CUDA_SUCCESS) {
                Driver.check("cuMemcpyDtoH(" + what + ", " + count + " bytes)", result);
            }
        }

        /** Sets the region to zero bytes, in order on {@code stream}. */
        void zeroAsync(CUstream stream) {
            checkOpen();
            int result = JCudaDriver.cuMemsetD32Async(at, 0, count / 4, stream);
            if (result != CUresult.CUDA_SUCCESS) {
                Driver.check("cuMemsetD32Async(" + what + ", " + count + " bytes)", result);
            }
        }
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
