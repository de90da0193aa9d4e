package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibrariesTest {
    private static final String LIBRARY = NativeLibraries.DRIVER;

    private static byte[] expected() throws IOException {
        return HexFormat.of().parseHex(NativeLibraries.expectedSha256(LIBRARY));
    }

    @Test
    void targetIsWhereJCudaLooks() {
        // jcuda.LibUtils.createTempFile: java.io.tmpdir + "/" + "lib" + name + "-12.6.0-linux-x86_64.so".
        assertEquals(Paths.get(System.getProperty("java.io.tmpdir"), "libJCudaDriver-12.6.0-linux-x86_64.so"),
                NativeLibraries.targetPath(LIBRARY));
    }

    @Test
    void writesAVerifiedCopyAndReusesIt(@TempDir Path directory) throws IOException {
        Path target = directory.resolve(NativeLibraries.fileName(LIBRARY));
        NativeLibraries.place(LIBRARY, target);
        assertArrayEquals(expected(), NativeLibraries.fileSha256(target));
        FileTime old = FileTime.fromMillis(1_000_000);
        Files.setLastModifiedTime(target, old);
        NativeLibraries.place(LIBRARY, target);
        assertEquals(old, Files.getLastModifiedTime(target), "a matching file is reused, not rewritten");
        assertNoLeftovers(directory);
    }

    @Test
    void replacesATruncatedFile(@TempDir Path directory) throws IOException {
        Path target = directory.resolve(NativeLibraries.fileName(LIBRARY));
        NativeLibraries.place(LIBRARY, target);
        byte[] whole = Files.readAllBytes(target);
        Files.write(target, java.util.Arrays.copyOf(whole, whole.length / 3));
        NativeLibraries.place(LIBRARY, target);
        assertArrayEquals(expected(), NativeLibraries.fileSha256(target));
    }

    @Test
    void replacesACorruptedFileOfTheRightSize(@TempDir Path directory) throws IOException {
        Path target = directory.resolve(NativeLibraries.fileName(LIBRARY));
        NativeLibraries.place(LIBRARY, target);
        byte[] bytes = Files.readAllBytes(target);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(target, bytes);
        NativeLibraries.place(LIBRARY, target);
        assertArrayEquals(expected(), NativeLibraries.fileSha256(target));
    }

    @Test
    void threadsPlacingAtOnceAllSeeACompleteFile(@TempDir Path directory) throws Exception {
        Path target = directory.resolve(NativeLibraries.fileName(LIBRARY));
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    Path placed = NativeLibraries.place(LIBRARY, target);
                    return NativeLibraries.fileSha256(placed);
                }));
            }
            start.countDown();
            for (Future<byte[]> result : results) {
                assertArrayEquals(expected(), result.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertNoLeftovers(directory);
    }

    private static void assertNoLeftovers(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertEquals(List.of(NativeLibraries.fileName(LIBRARY)), names, "no temporary files left: " + names);
        }
        assertTrue(Files.isRegularFile(directory.resolve(NativeLibraries.fileName(LIBRARY))));
    }
}
