package org.softmax4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.softmax4j.FuzzInvariants;

/**
 * Fuzzes the model-file reader twice: with raw bytes (the header line, its lengths and checksum), and with a fuzzed
 * JSON body under a header whose length and SHA-256 are right, so that the fuzzer's inputs reach the body's checks
 * instead of stopping at the checksum. A model that is accepted must survive a write and a read unchanged.
 */
class ModelFileFuzzTest {
    private static final String NAME = "fuzz.s4j";

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readModelFile(byte[] bytes) {
        Model model = FuzzInvariants.resultOrInputException(NAME, bytes.length, () -> ModelFile.parse(bytes, NAME));
        if (model != null) {
            checkRoundTrip(model);
        }
    }

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readModelBody(byte[] input) {
        // The first byte chooses the header's version (odd: the current one, even: version 1); the rest is the body.
        if (input.length < 1) {
            return;
        }
        int version = (input[0] & 1) != 0 ? ModelFile.VERSION : ModelFile.VERSION_1;
        byte[] body = java.util.Arrays.copyOfRange(input, 1, input.length);
        byte[] file = withHeader(version, body);
        Model model = FuzzInvariants.resultOrInputException(NAME, file.length, () -> ModelFile.parse(file, NAME));
        if (model != null) {
            checkRoundTrip(model);
        }
    }

    /** What the writer produces for an accepted model reads back as the same model. */
    private static void checkRoundTrip(Model model) {
        byte[] body = ModelFile.toJson(model).getBytes(StandardCharsets.UTF_8);
        Model again = ModelFile.parse(withHeader(ModelJsonWriter.versionFor(model), body), "round-trip");
        assertEquals(model, again, "model after a write and a read");
    }

    static byte[] withHeader(int version, byte[] body) {
        String header = ModelFile.MAGIC + " " + version + " sha256=" + ModelFile.sha256Hex(body) + " bytes="
                + body.length + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }
}
