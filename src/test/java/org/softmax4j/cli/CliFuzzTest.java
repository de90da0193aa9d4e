package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the command line: the option parsing and validation of every command that does not run for long (train,
 * eval, predict, picture, gradcheck, info, help; not bench), and the sample-weights reader behind
 * {@code train --sample-weights}. Invariant: exit 0, 2 (bad input), 3 (back end unavailable) or 5 (training failed),
 * never 1 (an internal error, which is a bug); no stack trace on stderr; a failure's explanation is one line.
 *
 * <p>Inputs are the words of a command line, one per line. Files are named by placeholders the fuzzer can find in
 * its dictionary ({@code @csv}, {@code @model}, {@code @weights}, {@code @missing}, {@code @out}); output options
 * always write into a scratch folder, and a training runs at most two iterations, so an input cannot write into the
 * project or run for long.
 */
class CliFuzzTest {
    private static final Set<Integer> EXPECTED_CODES = Set.of(ExitCodes.OK, ExitCodes.BAD_INPUT,
            ExitCodes.BACKEND_UNAVAILABLE, ExitCodes.TRAINING_FAILED);
    private static final Set<String> OUTPUT_OPTIONS = Set.of("--model-out", "--output", "--checkpoint", "--resume");
    /** A JVM exception's class name, as a leaked exception prints it ("java.io.IOException: ..."). */
    private static final java.util.regex.Pattern LEAKED_EXCEPTION =
            java.util.regex.Pattern.compile("\\b[a-z]+(\\.[a-z0-9_]+)+\\.[A-Z]\\w*(Exception|Error)\\b");
    private static final String TINY_CSV = "a,b,c,label\n1,0,2.5,x\n0,1,3,y\n1,1,0,z\n0,0,1,x\n2,1,1,y\n1,3,0,z\n";
    private static Path scratch;

    private static synchronized Path scratch() {
        if (scratch == null) {
            try {
                scratch = Files.createTempDirectory("softmax4j-cli-fuzz");
                scratch.toFile().deleteOnExit();
                Files.writeString(scratch.resolve("tiny.csv"), TINY_CSV);
                Files.writeString(scratch.resolve("weights.txt"), "1\n2\n0.5\n1\n1\n3\n");
                int code = run(List.of("train", "--train", scratch.resolve("tiny.csv").toString(),
                        "--test-fraction", "0", "--max-iterations", "3", "--backend", "cpu", "--quiet",
                        "--model-out", scratch.resolve("model.s4j").toString()), new StringWriter(), new StringWriter());
                assertTrue(code == ExitCodes.OK, "training the fuzz test's model exited " + code);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return scratch;
    }

    @FuzzTest
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    @DictionaryEntries({"train", "eval", "predict", "picture", "gradcheck", "info", "help", "--train",
            "--test", "--data", "--model", "--input", "--output", "--model-out", "--sample-weights", "--class-weight",
            "balanced", "--init", "--solver", "lbfgs", "owlqn", "sgd", "adam", "ascent", "--lambda", "--alpha",
            "--learning-rate", "auto", "--acceleration", "nesterov", "none", "--batch-size", "--history", "--momentum",
            "--nesterov", "--schedule", "--precision", "double", "engine", "--preconditioner", "--no-bias", "--seed",
            "--threads", "--backend", "cpu", "cuda", "--label-column", "--header", "--binarize", "--representation",
            "dense", "binary", "--test-fraction", "--validation-fraction", "--tolerance", "--json", "--strict",
            "--shape", "--columns", "--scale", "--sample", "--max-parameters", "--with-input-labels", "--verbose",
            "--checkpoint", "--checkpoint-every", "--resume",
            "@csv", "@model", "@weights", "@missing", "@out", "NaN", "-1", "0", "1e309", "2147483648"})
    void parseCommandLine(byte[] input) {
        List<String> words = words(input);
        if (words.isEmpty() || words.get(0).equals("bench")) {
            return;
        }
        checkRun(arguments(words), List.of());
    }

    @FuzzTest
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void readSampleWeights(byte[] input) {
        Path dir = scratch();
        Path weights = dir.resolve("fuzz-weights.txt");
        try {
            Files.write(weights, input);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        checkRun(List.of("train", "--train", dir.resolve("tiny.csv").toString(), "--test-fraction", "0",
                "--max-iterations", "2", "--backend", "cpu", "--threads", "1", "--sample-weights", weights.toString()),
                List.of(new String(input, StandardCharsets.ISO_8859_1).split("\\R")));
    }

    /**
     * Runs the command line and checks the invariant. {@code echoed}: text of the input that messages may quote (the
     * words themselves are too); it is removed before stderr is searched for exception names, so that a message quoting
     * a user's "Error:" is not taken for a leaked exception.
     */
    private static void checkRun(List<String> args, List<String> echoed) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(args, out, err);
        String errText = err.toString();
        if (!EXPECTED_CODES.contains(code)) {
            fail("exit " + code + " for " + args + "; stderr: " + errText);
        }
        String scrubbed = errText;
        List<String> quoted = new ArrayList<>(args);
        quoted.addAll(echoed);
        quoted.sort((a, b) -> b.length() - a.length());
        for (String text : quoted) {
            if (!text.isEmpty()) {
                String shown = Main.printable(text);
                scrubbed = scrubbed.replace(shown, "").replace(shown.substring(0, Math.min(40, shown.length())), "");
            }
        }
        String rest = scrubbed;
        // --verbose (or -v, alone or among clustered short options) asks for the stack trace.
        boolean verbose = args.stream().anyMatch(a -> a.equals("--verbose") || a.matches("-[A-Za-z]*v[A-Za-z]*"));
        assertFalse(!verbose && (rest.contains("\tat ") || LEAKED_EXCEPTION.matcher(rest).find()),
                () -> "a stack trace or a raw exception on stderr for " + args + ": " + errText);
        if (code != ExitCodes.OK && !verbose) {
            String[] lines = errText.strip().split("\n");
            String last = lines[lines.length - 1];
            assertFalse(last.isBlank(), () -> "exit " + code + " without an explanation for " + args);
            assertTrue(last.chars().noneMatch(c -> c < 0x20 || c == 0x7f),
                    () -> "a control character in the explanation for " + args + ": " + last);
        }
    }

    private static int run(List<String> args, StringWriter out, StringWriter err) {
        return Main.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    }

    private static List<String> words(byte[] input) {
        List<String> words = new ArrayList<>();
        for (String word : new String(input, StandardCharsets.UTF_8).split("\n", -1)) {
            if (words.size() == 24) {
                break;
            }
            words.add(word);
        }
        if (words.size() == 1 && words.get(0).isEmpty()) {
            words.clear();
        }
        return words;
    }

    /** The words with placeholders resolved, outputs kept in the scratch folder and trainings kept short. */
    private static List<String> arguments(List<String> words) {
        Path dir = scratch();
        List<String> args = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            String option = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
            if (option.equals("--max-iterations") || option.equals("--patience")) {
                i += word.contains("=") ? 0 : 1;
                continue;
            }
            if (OUTPUT_OPTIONS.contains(option)) {
                args.add(option);
                args.add(dir.resolve("out-" + Math.abs(word.hashCode() % 4)).toString());
                i += word.contains("=") ? 0 : 1;
                continue;
            }
            if (word.startsWith("@")) {
                // Placeholders; any other @word would make picocli read an argument file from anywhere.
                switch (word) {
                    case "@csv" -> args.add(dir.resolve("tiny.csv").toString());
                    case "@model" -> args.add(dir.resolve("model.s4j").toString());
                    case "@weights" -> args.add(dir.resolve("weights.txt").toString());
                    case "@missing" -> args.add(dir.resolve("no-such-file.csv").toString());
                    case "@out" -> args.add(dir.resolve("out-x").toString());
                    default -> {
                    }
                }
                continue;
            }
            args.add(word);
        }
        if (!args.isEmpty() && args.get(0).equals("train")) {
            args.add("--max-iterations");
            args.add("2");
        }
        // The tiny file instead of the built-in digits where no data is named: a run of milliseconds, not a second.
        String dataOption = args.isEmpty() ? null : switch (args.get(0)) {
            case "train" -> "--train";
            case "eval", "gradcheck" -> "--data";
            default -> null;
        };
        if (dataOption != null && args.stream().noneMatch(a -> a.startsWith(dataOption))) {
            args.add(dataOption);
            args.add(dir.resolve("tiny.csv").toString());
        }
        return args;
    }
}
