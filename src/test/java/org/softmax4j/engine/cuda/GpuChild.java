package org.softmax4j.engine.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

import org.softmax4j.TestData;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.BackendUnavailableException;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Parameters;

/**
 * What {@link CudaFaultGpuTest} runs in a JVM of its own, printing "key: value" lines:
 * <ul>
 * <li>{@code fault}: a kernel reads through a null pointer (a sticky error), then every later use is tried;</li>
 * <li>{@code probe-fails}: the probe with kernels that fail to load, then the primary context's state.</li>
 * </ul>
 */
final class GpuChild {
    private GpuChild() {
    }

    public static void main(String[] args) {
        switch (args[0]) {
            case "fault" -> fault();
            case "probe-fails" -> probeFails();
            case "small-device" -> smallDevice();
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void fault() {
        CudaProbe.Result probe = CudaProbe.result();
        if (!probe.available()) {
            System.out.println("unavailable: " + probe.reason());
            return;
        }
        CudaDevice device = probe.device();
        Dataset data = TestData.randomBinary(100, 64, 3, 1);
        CudaEngine engine = new CudaEngine(device, true);
        CudaEvaluator before = engine.bind(data);
        device.makeCurrent();
        DeviceBuffer out = DeviceBuffer.allocate("fault result (1 double)", 8);
        try {
            // sum_doubles_kernel over 2^28 values (2 GiB) from an 8-byte buffer: the reads run far past everything
            // this JVM allocated, and fault. (A pointer that is not device memory, or null, may be refused at the
            // launch, before any kernel runs.)
            // On the CUDA emulator, which stops the process on a real fault, the parent injects the sticky error
            // into this launch instead (S4J_EMU_FAIL), and the kernel reads its one value.
            device.kernels().sumDoubles(out.address(), device.emulated() ? 1 : 1 << 28, out.address());
            out.download(Pointer.to(new double[1]), 0, 8);
            System.out.println("fault: none");
        } catch (CudaException e) {
            System.out.println("fault: " + e.getMessage());
        }
        try {
            before.evaluate(new Parameters(3, 64), new Evaluation(3, 64));
            System.out.println("evaluate: ok");
        } catch (CudaException e) {
            System.out.println("evaluate: " + e.getMessage());
        }
        try {
            engine.bind(data);
            System.out.println("bind: ok");
        } catch (CudaException e) {
            System.out.println("bind: " + e.getMessage());
        }
        try {
            out.close();
        } catch (CudaException e) {
            // The context is gone with the buffer.
        }
        try {
            engine.close();
            System.out.println("close: ok");
        } catch (RuntimeException e) {
            System.out.println("close: " + e);
        }
        try (Engine auto = Backend.AUTO.open(1, line -> { })) {
            System.out.println("auto: " + auto.name());
        }
        System.out.println("reason: " + Backend.cudaUnavailableReason());
        try {
            Backend.CUDA.open(1).close();
            System.out.println("cuda: opened");
        } catch (BackendUnavailableException e) {
            System.out.println("cuda: " + e.getMessage());
        }
    }

    /**
     * One evaluation of a million bit-packed rows (12 MB with their labels) on whatever device the environment gives
     * (EmulatorDeviceTest: an emulated one of 24 MiB), against the CPU engine.
     */
    private static void smallDevice() {
        CudaProbe.Result probe = CudaProbe.result();
        if (!probe.available()) {
            System.out.println("unavailable: " + probe.reason());
            return;
        }
        Dataset data = TestData.randomBinary(1_000_000, 64, 10, 5);
        Parameters parameters = Parameters.random(10, 64, 0.3, 5);
        Evaluation cpu = new Evaluation(10, 64);
        try (org.softmax4j.engine.cpu.CpuEngine engine = new org.softmax4j.engine.cpu.CpuEngine(1);
             org.softmax4j.engine.Evaluator evaluator = engine.bind(data)) {
            evaluator.evaluate(parameters, cpu);
        }
        CudaEngine engine = new CudaEngine(probe.device(), true);
        engine.setNotices(line -> System.out.println("notice: " + line));
        try (engine; CudaEvaluator evaluator = engine.bind(data)) {
            System.out.println("streaming: " + evaluator.streaming());
            Evaluation cuda = new Evaluation(10, 64);
            evaluator.evaluate(parameters, cuda);
            double relative = Math.abs(cuda.logLikelihood() - cpu.logLikelihood()) / Math.abs(cpu.logLikelihood());
            System.out.println("log-likelihood relative difference: " + relative);
            System.out.println("correct: " + cuda.numCorrect() + " cpu " + cpu.numCorrect());
        }
    }

    private static void probeFails() {
        CudaProbe.Result result = CudaProbe.run((driverVersion, major, minor) -> {
            throw new CudaException("planted: the kernels do not load", 0);
        });
        System.out.println("probe: " + (result.available() ? "available" : result.reason()));
        CUdevice device = new CUdevice();
        Driver.check("cuDeviceGet(0)", JCudaDriver.cuDeviceGet(device, 0));
        int[] flags = new int[1];
        int[] active = new int[1];
        Driver.check("cuDevicePrimaryCtxGetState", JCudaDriver.cuDevicePrimaryCtxGetState(device, flags, active));
        System.out.println("active: " + active[0]);
    }
}
