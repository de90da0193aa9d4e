package org.softmax4j.engine.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jcuda.nvptxcompiler.JNvPTXCompiler;
import jcuda.nvptxcompiler.nvPTXCompileResult;
import jcuda.nvptxcompiler.nvPTXCompilerHandle;

/**
 * Compiles PTX to a cubin for one GPU with the PTX compiler bundled in jcuda-natives (libJNvPTXCompiler, CUDA 12.6).
 * It needs no driver and no GPU, so it is the run-time fallback when a 12.x driver's JIT rejects our PTX, and a
 * compile check in tests. It accepts PTX up to {@code .version 8.5}; the lowered PTX of this project says 8.0.
 */
public final class PtxCompiler {
    private PtxCompiler() {
    }

    /**
     * The cubin for {@code sm_<major><minor>}.
     *
     * @param ptx PTX text; a trailing NUL is allowed and ignored
     * @throws CudaException naming the target and carrying the compiler's error log when compilation fails
     * @throws IOException   when the native library cannot be placed
     */
    public static byte[] compile(byte[] ptx, int major, int minor) throws IOException {
        String target = "sm_" + major + minor;
        NativeLibraries.place(NativeLibraries.PTX_COMPILER);
        JNvPTXCompiler.setExceptionsEnabled(false);
        int length = ptx.length;
        while (length > 0 && ptx[length - 1] == 0) {
            length--;
        }
        nvPTXCompilerHandle handle = new nvPTXCompilerHandle();
        check("nvPTXCompilerCreate", target, JNvPTXCompiler.nvPTXCompilerCreate(handle, length, ptx), null);
        try {
            String[] options = {"--gpu-name=" + target};
            int compiled = JNvPTXCompiler.nvPTXCompilerCompile(handle, options.length, options);
            check("nvPTXCompilerCompile", target, compiled, handle);
            long[] size = new long[1];
            check("nvPTXCompilerGetCompiledProgramSize", target,
                    JNvPTXCompiler.nvPTXCompilerGetCompiledProgramSize(handle, size), handle);
            byte[] cubin = new byte[Math.toIntExact(size[0])];
            check("nvPTXCompilerGetCompiledProgram", target,
                    JNvPTXCompiler.nvPTXCompilerGetCompiledProgram(handle, cubin), handle);
            return cubin;
        } finally {
            JNvPTXCompiler.nvPTXCompilerDestroy(handle);
        }
    }

    /** The compiler's own version, "12.6" or the like. */
    public static String version() throws IOException {
        NativeLibraries.place(NativeLibraries.PTX_COMPILER);
        int[] major = new int[1];
        int[] minor = new int[1];
        check("nvPTXCompilerGetVersion", "-", JNvPTXCompiler.nvPTXCompilerGetVersion(major, minor), null);
        return major[0] + "." + minor[0];
    }

    private static void check(String call, String target, int result, nvPTXCompilerHandle handle) {
        if (result == nvPTXCompileResult.NVPTXCOMPILE_SUCCESS) {
            return;
        }
        String log = "";
        if (handle != null) {
            long[] size = new long[1];
            if (JNvPTXCompiler.nvPTXCompilerGetErrorLogSize(handle, size) == 0 && size[0] > 0) {
                byte[] text = new byte[Math.toIntExact(size[0])];
                if (JNvPTXCompiler.nvPTXCompilerGetErrorLog(handle, text) == 0) {
                    log = ": " + new String(text, StandardCharsets.UTF_8).replace("\0", "").strip();
                }
            }
        }
        throw new CudaException(call + " for " + target + " failed: " + nvPTXCompileResult.stringFor(result) + log,
                0);
    }
}
