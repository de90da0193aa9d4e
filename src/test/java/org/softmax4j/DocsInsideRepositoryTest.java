package org.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The facts the code relies on are written inside the repository (docs/GPU-FACTS.md, scripts/numpy_baseline.py): no
 * README, doc, script, build file or source comment points at notes kept outside it.
 */
class DocsInsideRepositoryTest {
    /** Names of notes and folders that live beside the repository, not in it. */
    private static final List<String> OUTSIDE = List.of("../shared", "GPU-NOTES", "shared/bench", "STYLE.md");

    @Test
    void nothingPointsOutsideTheRepository() throws IOException {
        List<String> found = new ArrayList<>();
        List<Path> roots = List.of(Path.of("src"), Path.of("cuda"), Path.of("scripts"), Path.of("docs"),
                Path.of("README.md"), Path.of("pom.xml"));
        for (Path root : roots) {
            if (!Files.exists(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)
                        .filter(DocsInsideRepositoryTest::isText)::iterator) {
                    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                    for (int i = 0; i < lines.size(); i++) {
                        for (String name : OUTSIDE) {
                            if (lines.get(i).contains(name) && !file.endsWith("DocsInsideRepositoryTest.java")) {
                                found.add(file + ":" + (i + 1) + ": " + name);
                            }
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), found, "pointers to notes outside the repository");
    }

    private static boolean isText(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".java") || name.endsWith(".md") || name.endsWith(".cu") || name.endsWith(".cuh")
                || name.endsWith(".sh") || name.endsWith(".py") || name.endsWith(".xml") || name.endsWith(".c")
                || name.endsWith(".h") || name.endsWith(".cpp") || name.equals("softmax4j");
    }
}
