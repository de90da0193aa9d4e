package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** JCuda's bundled PTX compiler needs no driver: it is the run-time fallback for 12.x drivers, checked here. */
class PtxCompilerTest {
    /** A kernel small enough to read: out[i] = 2·in[i] for i < n. */
    private static final String TINY_PTX = """
            .version 8.0
            .target sm_75
            .address_size 64

            .visible .entry twice_kernel(.param .u64 in, .param .u64 out, .param .u32 n)
            {
                .reg .pred %p<2>;
                .reg .b32 %r<6>;
                .reg .f32 %f<3>;
                .reg .b64 %rd<8>;
                ld.param.u64 %rd1, [in];
                ld.param.u64 %rd2, [out];
                ld.param.u32 %r1, [n];
                mov.u32 %r2, %ctaid.x;
                mov.u32 %r3, %ntid.x;
                mov.u32 %r4, %tid.x;
                mad.lo.s32 %r5, %r2, %r3, %r4;
                setp.ge.u32 %p1, %r5, %r1;
                @%p1 bra DONE;
                cvta.to.global.u64 %rd3, %rd1;
                cvta.to.global.u64 %rd4, %rd2;
                mul.wide.u32 %rd5, %r5, 4;
                add.s64 %rd6, %rd3, %rd5;
                ld.global.f32 %f1, [%rd6];
                add.f32 %f2, %f1, %f1;
                add.s64 %rd7, %rd4, %rd5;
                st.global.f32 [%rd7], %f2;
            DONE:
                ret;
            }
            """;

    @ParameterizedTest
    @ValueSource(ints = {75, 80, 86, 89, 90})
    void compilesATinyKernelWithoutADriver(int target) throws IOException {
        byte[] cubin = PtxCompiler.compile(TINY_PTX.getBytes(StandardCharsets.US_ASCII), target / 10, target % 10);
        assertElf(cubin, "sm_" + target);
    }

    @ParameterizedTest
    @ValueSource(ints = {75, 80, 86, 89, 90})
    void compilesTheProjectsLoweredPtx(int target) throws IOException {
        byte[] ptx = KernelImage.resource(KernelImage.PTX);
        Assumptions.assumeTrue(ptx != null, KernelImage.PTX + " is not in the resources yet "
                + "(scripts/build-kernels.sh makes it)");
        byte[] cubin = PtxCompiler.compile(KernelImage.nulTerminated(ptx), target / 10, target % 10);
        assertElf(cubin, "sm_" + target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"9.0"})
    void rejectsPtxNewerThanItself(String version) {
        String newer = TINY_PTX.replace(".version 8.0", ".version " + version);
        CudaException e = assertThrows(CudaException.class,
                () -> PtxCompiler.compile(newer.getBytes(StandardCharsets.US_ASCII), 7, 5));
        assertTrue(e.getMessage().startsWith("nvPTXCompilerCompile for sm_75 failed"), e.getMessage());
    }

    private static void assertElf(byte[] cubin, String what) {
        assertTrue(cubin.length > 64, what + ": " + cubin.length + " bytes");
        assertTrue(cubin[0] == 0x7f && cubin[1] == 'E' && cubin[2] == 'L' && cubin[3] == 'F', what + ": not ELF");
    }
}
