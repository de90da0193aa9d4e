package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Kernel → host launch → CPU twin → tests, in one table: cuda/README.md's kernel table against the declarations in
 * cuda/*.cu (and their two opening lines), the {@link Kernels.Kernel} constants and the {@link Kernels} methods that
 * launch them, the CPU twins (reflection), the checks of cuda/test/harness.cpp (each must launch its kernel, itself or
 * through a harness function it calls) and the Java tests (reflection: a test method). No GPU needed.
 */
class KernelContractTest {
    private static final Path ROOT = Path.of(System.getProperty("basedir", "."));
    private static final Path CUDA = ROOT.resolve("cuda");
    /** The second line of every .cu file. */
    static final String SECOND_LINE = "// Contract, host launch (Kernels), CPU twin, harness check and Java test of "
            + "each: the kernel table of cuda/README.md.";
    private static final Pattern DECLARATION = Pattern.compile("extern \"C\" __global__[^(]*?\\b(\\w+_kernel)\\s*\\(",
            Pattern.DOTALL);
    private static final Pattern NAME = Pattern.compile("`([^`]+)`");

    /** One row of the table. */
    record Row(String file, String kernel, List<String> methods, List<String> twins, List<String> checks,
               List<String> tests) {
    }

    /** The sources the contract is read from. */
    record Sources(String readme, Map<String, String> cudaFiles, String harness, String kernelsJava) {
        static Sources read() throws IOException {
            Map<String, String> files = new TreeMap<>();
            try (Stream<Path> list = Files.list(CUDA)) {
                for (Path file : list.filter(p -> p.toString().endsWith(".cu")).toList()) {
                    files.put(file.getFileName().toString(), Files.readString(file));
                }
            }
            return new Sources(Files.readString(CUDA.resolve("README.md")), files,
                    Files.readString(CUDA.resolve("test/harness.cpp")),
                    Files.readString(ROOT.resolve("src/main/java/org/softmax4j/engine/cuda/Kernels.java")));
        }
    }

    private static Sources sources() throws IOException {
        Assumptions.assumeTrue(Files.exists(CUDA.resolve("README.md")), CUDA + " is not here");
        return Sources.read();
    }

    @Test
    void everyKernelHasARowAndEveryRowNamesWhatExists() throws IOException {
        assertEquals(List.of(), problems(sources()));
    }

    @Test
    void everyKernelConstantIsAKernelOfTheSources() throws IOException {
        Sources sources = sources();
        List<String> declared = new ArrayList<>(declarations(sources.cudaFiles()).keySet());
        List<String> constants = Arrays.stream(Kernels.Kernel.values()).map(Kernels.Kernel::cudaName).sorted().toList();
        assertEquals(declared.stream().sorted().toList(), constants);
    }

    /** The checks themselves: each kind of drift is seen. */
    @Test
    void driftIsReported() throws IOException {
        Sources real = sources();
        String readme = real.readme();
        assertProblem(new Sources(dropRow(readme, "softmax_rows_kernel"), real.cudaFiles(), real.harness(),
                real.kernelsJava()), "softmax_rows_kernel (softmax.cu) has no row in cuda/README.md");
        assertProblem(new Sources(readme.replace("`Kernels#sumInts`", "`Kernels#sumLongs`"), real.cudaFiles(),
                real.harness(), real.kernelsJava()), "sum_ints_kernel: Kernels has no method sumLongs");
        assertProblem(new Sources(readme.replace("`Kernels#sumInts`", "`Kernels#sumDoubles`"), real.cudaFiles(),
                real.harness(), real.kernelsJava()), "sum_ints_kernel: Kernels#sumDoubles does not launch "
                + "Kernel.SUM_INTS");
        assertProblem(new Sources(readme.replace("`engine.cpu.Softmax#probabilities`",
                        "`engine.cpu.Softmax#softmaxRows`"), real.cudaFiles(), real.harness(),
                real.kernelsJava()), "softmax_rows_kernel: engine.cpu.Softmax has no method softmaxRows");
        assertProblem(new Sources(readme.replace("`checkSoftmaxRows`", "`checkSoftmax`"), real.cudaFiles(),
                real.harness(), real.kernelsJava()), "softmax_rows_kernel: cuda/test/harness.cpp defines no "
                + "check checkSoftmax");
        assertProblem(new Sources(readme.replace("`checkSoftmaxRows`", "`checkLogits`"), real.cudaFiles(),
                real.harness(), real.kernelsJava()), "softmax_rows_kernel: checkLogits (cuda/test/harness.cpp) "
                + "does not launch softmax_rows_kernel");
        assertProblem(new Sources(readme.replace("`CudaEngineGpuTest#deviceTrainingStepsLikeTheHostRule`",
                        "`CudaEngineGpuTest#deviceTrainingSteps`"), real.cudaFiles(), real.harness(),
                real.kernelsJava()), "ascent_update_kernel: CudaEngineGpuTest has no test deviceTrainingSteps");
        Map<String, String> kinds = new TreeMap<>(real.cudaFiles());
        kinds.put("reduce.cu", kinds.get("reduce.cu")
                .replace("int numBlocks, int width", "int numBlocks, double width"));
        assertProblem(new Sources(readme, kinds, real.harness(), real.kernelsJava()),
                "reduce_partials_kernel: Kernel.REDUCE_PARTIALS has parameter kinds piip, the declaration pidp");
        Map<String, String> extra = new TreeMap<>(real.cudaFiles());
        extra.put("update.cu", extra.get("update.cu").replace("ascent_update_kernel.\n",
                "ascent_update_kernel, planted_update_kernel.\n") + "\nextern \"C\" __global__ void "
                + "planted_update_kernel(float* W, int K) {}\n");
        assertProblem(new Sources(readme, extra, real.harness(), real.kernelsJava()),
                "planted_update_kernel (update.cu) has no row in cuda/README.md");
        Map<String, String> opening = new TreeMap<>(real.cudaFiles());
        opening.put("logits.cu", opening.get("logits.cu").replace("logits_binary_kernel.\n", "\n"));
        assertProblem(new Sources(readme, opening, real.harness(), real.kernelsJava()),
                "logits.cu: the first line must be '// logits.cu: kernels logits_dense_kernel, "
                        + "logits_binary_kernel.'");
    }

    private static void assertProblem(Sources sources, String expected) {
        List<String> problems = problems(sources);
        assertTrue(problems.contains(expected), "expected '" + expected + "' among " + problems);
    }

    private static String dropRow(String readme, String kernel) {
        StringBuilder out = new StringBuilder();
        for (String line : readme.split("\n", -1)) {
            if (!line.startsWith("| ") || !line.contains("`" + kernel + "(")) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** Every disagreement between the table and what it names, one line each; empty when they agree. */
    static List<String> problems(Sources sources) {
        List<String> problems = new ArrayList<>();
        Map<String, String> declared = declarations(sources.cudaFiles());
        Map<String, Row> rows = new LinkedHashMap<>();
        for (Row row : table(sources.readme())) {
            if (rows.put(row.kernel(), row) != null) {
                problems.add(row.kernel() + " has two rows in cuda/README.md");
            }
        }
        declared.forEach((kernel, file) -> {
            if (!rows.containsKey(kernel)) {
                problems.add(kernel + " (" + file + ") has no row in cuda/README.md");
            }
        });
        for (Row row : rows.values()) {
            String kernel = row.kernel();
            String file = declared.get(kernel);
            if (file == null) {
                problems.add(kernel + ": a row of cuda/README.md, declared in no cuda/*.cu");
            } else if (!file.equals(row.file())) {
                problems.add(kernel + ": the row says " + row.file() + ", it is declared in " + file);
            }
            checkMethods(row, sources.kernelsJava(), problems);
            String kinds = parameterKinds(sources.cudaFiles()).get(kernel);
            Arrays.stream(Kernels.Kernel.values()).filter(k -> k.cudaName().equals(kernel)).findFirst()
                    .filter(k -> kinds != null && !k.kinds().equals(kinds))
                    .ifPresent(k -> problems.add(kernel + ": Kernel." + k.name() + " has parameter kinds " + k.kinds()
                            + ", the declaration " + kinds));
            for (String twin : row.twins()) {
                if (!hasMethod("org.softmax4j." + twin, false)) {
                    problems.add(kernel + ": " + describeMissing(twin, "org.softmax4j.", false));
                }
            }
            for (String check : row.checks()) {
                String body = cppFunction(sources.harness(), check);
                if (body == null) {
                    problems.add(kernel + ": cuda/test/harness.cpp defines no check " + check);
                } else if (!launches(sources.harness(), body, kernel)) {
                    problems.add(kernel + ": " + check + " (cuda/test/harness.cpp) does not launch " + kernel);
                }
            }
            if (row.tests().isEmpty()) {
                problems.add(kernel + ": no Java test");
            }
            for (String test : row.tests()) {
                if (!hasMethod("org.softmax4j.engine.cuda." + test, true)) {
                    problems.add(kernel + ": " + describeMissing(test, "org.softmax4j.engine.cuda.", true));
                }
            }
        }
        sources.cudaFiles().forEach((file, text) -> {
            String[] lines = text.split("\n", 3);
            List<String> kernels = new ArrayList<>();
            declared.forEach((kernel, in) -> {
                if (in.equals(file)) {
                    kernels.add(kernel);
                }
            });
            String first = "// " + file + ": kernels "
                    + (kernels.isEmpty() ? "none (it includes every kernel file)" : String.join(", ", kernels)) + ".";
            if (lines.length < 2 || !lines[0].equals(first)) {
                problems.add(file + ": the first line must be '" + first + "'");
            }
            if (lines.length < 2 || !lines[1].equals(SECOND_LINE)) {
                problems.add(file + ": the second line must be '" + SECOND_LINE + "'");
            }
        });
        return problems;
    }

    /** Kernel name → the file that declares it, in declaration order. */
    static Map<String, String> declarations(Map<String, String> cudaFiles) {
        Map<String, String> declared = new LinkedHashMap<>();
        cudaFiles.forEach((file, text) -> {
            Matcher m = DECLARATION.matcher(text);
            while (m.find()) {
                declared.put(m.group(1), file);
            }
        });
        return declared;
    }

    /** Kernel name → the kinds of its parameters as {@link Kernels.Kernel#kinds()} writes them (p, i, d). */
    static Map<String, String> parameterKinds(Map<String, String> cudaFiles) {
        Map<String, String> kinds = new LinkedHashMap<>();
        for (String text : cudaFiles.values()) {
            Matcher m = DECLARATION.matcher(text);
            while (m.find()) {
                String parameters = text.substring(m.end(), text.indexOf(')', m.end()));
                StringBuilder out = new StringBuilder();
                for (String parameter : parameters.split(",")) {
                    String p = parameter.strip();
                    out.append(p.contains("*") ? 'p'
                            : p.startsWith("int ") ? 'i' : p.startsWith("double ") ? 'd' : '?');
                }
                kinds.put(m.group(1), out.toString());
            }
        }
        return kinds;
    }

    /** The rows of the table under "## Kernels". */
    static List<Row> table(String readme) {
        List<Row> rows = new ArrayList<>();
        int start = readme.indexOf("\n## Kernels\n");
        if (start < 0) {
            return rows;
        }
        boolean header = true;
        for (String line : readme.substring(start).split("\n")) {
            if (line.startsWith("|")) {
                if (header) {
                    header = !line.startsWith("|---");
                    continue;
                }
                String[] cells = line.substring(1).split(" \\| ", 7);
                if (cells.length < 7) {
                    continue;
                }
                String kernel = names(cells[1]).get(0);
                kernel = kernel.substring(0, kernel.indexOf('(') < 0 ? kernel.length() : kernel.indexOf('('));
                rows.add(new Row(cells[0].strip(), kernel, names(cells[2]), names(cells[3]), names(cells[4]),
                        names(cells[5])));
            } else if (!header) {
                break;
            }
        }
        return rows;
    }

    private static List<String> names(String cell) {
        List<String> names = new ArrayList<>();
        Matcher m = NAME.matcher(cell);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The Kernels method of the row exists and its body launches the row's constant. */
    private static void checkMethods(Row row, String kernelsJava, List<String> problems) {
        Kernels.Kernel constant = Arrays.stream(Kernels.Kernel.values())
                .filter(k -> k.cudaName().equals(row.kernel())).findFirst().orElse(null);
        if (constant == null) {
            problems.add(row.kernel() + ": no Kernels.Kernel constant");
        }
        if (row.methods().size() != 1 || !row.methods().get(0).startsWith("Kernels#")) {
            problems.add(row.kernel() + ": expected one Kernels#method, found " + row.methods());
            return;
        }
        String method = row.methods().get(0).substring("Kernels#".length());
        if (Arrays.stream(Kernels.class.getDeclaredMethods()).noneMatch(m -> m.getName().equals(method))) {
            problems.add(row.kernel() + ": Kernels has no method " + method);
            return;
        }
        Matcher body = Pattern.compile("\n    \\S[^\n]*\\b" + Pattern.quote(method) + "\\((.*?)\n    }\n",
                Pattern.DOTALL).matcher(kernelsJava);
        if (constant != null && (!body.find() || !body.group(1).contains("Kernel." + constant.name() + ","))) {
            problems.add(row.kernel() + ": Kernels#" + method + " does not launch Kernel." + constant.name());
        }
    }

    /** Whether {@code body} launches {@code kernel}, itself or through a function of the harness it calls. */
    private static boolean launches(String harness, String body, String kernel) {
        if (body.contains("launch(" + kernel + ",")) {
            return true;
        }
        Matcher calls = Pattern.compile("\\b(\\w+)\\(").matcher(body);
        while (calls.find()) {
            String callee = cppFunction(harness, calls.group(1));
            if (callee != null && callee.contains("launch(" + kernel + ",")) {
                return true;
            }
        }
        return false;
    }

    /** The body of the C++ function {@code name} defined at the start of a line, or null. */
    private static String cppFunction(String source, String name) {
        Matcher m = Pattern.compile("\n[A-Za-z][\\w:<>, ]*\\s" + Pattern.quote(name) + "\\(([^;{]*?)\\{(.*?)\n}\n",
                Pattern.DOTALL).matcher(source);
        return m.find() ? m.group(2) : null;
    }

    /** Whether {@code prefix + "Class#method"} names a declared method (a JUnit test when {@code test}). */
    private static boolean hasMethod(String qualified, boolean test) {
        int hash = qualified.indexOf('#');
        if (hash < 0) {
            return false;
        }
        try {
            // Not initialised: a test class may need what a small runtime lacks to initialise, not to be listed.
            Class<?> type = Class.forName(qualified.substring(0, hash), false,
                    KernelContractTest.class.getClassLoader());
            String name = qualified.substring(hash + 1);
            for (Method method : type.getDeclaredMethods()) {
                if (method.getName().equals(name) && (!test || method.isAnnotationPresent(Test.class)
                        || method.isAnnotationPresent(ParameterizedTest.class))) {
                    return true;
                }
            }
            return false;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static String describeMissing(String name, String prefix, boolean test) {
        int hash = name.indexOf('#');
        if (hash < 0) {
            return "'" + name + "' is not Class#method";
        }
        String type = name.substring(0, hash);
        try {
            Class.forName(prefix + type, false, KernelContractTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return "no class " + prefix + type;
        }
        return type + " has no " + (test ? "test " : "method ") + name.substring(hash + 1);
    }

    @Test
    void maxFusedClassesMatchesTheHeader() throws IOException {
        Path header = CUDA.resolve("softmax4j.cuh");
        Assumptions.assumeTrue(Files.exists(header), header + " is not written yet");
        Matcher m = Pattern.compile("MAX_FUSED_CLASSES\\s*=?\\s*\\(?\\s*(\\d+)").matcher(Files.readString(header));
        assertTrue(m.find(), "no MAX_FUSED_CLASSES in " + header);
        assertEquals(Integer.parseInt(m.group(1)), Kernels.MAX_FUSED_CLASSES);
    }
}
