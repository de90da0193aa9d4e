package org.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java snippets, compiled and run as a user would paste them: the import lines at the top of a block
 * become the imports of a class, the rest the body of its main method. Also the dependency snippet's version.
 */
class ReadmeSnippetsTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path dir;

    @Test
    void everyJavaSnippetCompilesAndRuns() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher matcher = JAVA_BLOCK.matcher(readme);
        List<String> blocks = new ArrayList<>();
        while (matcher.find()) {
            blocks.add(matcher.group(1));
        }
        assertTrue(blocks.size() >= 3, "Java snippets in the README: " + blocks.size());
        // One compiler run for all (javac's start-up is most of the time), then each snippet on its own.
        List<String> arguments = new ArrayList<>(List.of("-d", dir.toString(), "-classpath",
                System.getProperty("java.class.path"), "--add-modules", "jdk.incubator.vector"));
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < blocks.size(); i++) {
            StringBuilder imports = new StringBuilder();
            StringBuilder body = new StringBuilder();
            for (String line : blocks.get(i).split("\n")) {
                (line.startsWith("import ") ? imports : body).append(line).append('\n');
            }
            Path source = dir.resolve("Snippet" + i + ".java");
            Files.writeString(source, imports + "public class Snippet" + i + " {\n"
                    + "    public static void main(String[] args) throws Exception {\n" + body + "    }\n}\n");
            arguments.add(source.toString());
            shown.append(Files.readString(source));
        }
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        int code = compiler.run(null, null, diagnostics, arguments.toArray(String[]::new));
        assertEquals(0, code, "README snippets do not compile:\n" + diagnostics + "\n" + shown);
        for (int i = 0; i < blocks.size(); i++) {
            PrintStream original = System.out;
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                    getClass().getClassLoader())) {
                Method main = loader.loadClass("Snippet" + i).getMethod("main", String[].class);
                System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
                main.invoke(null, (Object) new String[0]);
            } finally {
                System.setOut(original);
            }
            assertTrue(printed.size() > 0, "README snippet " + (i + 1) + " printed nothing");
        }
    }

    @Test
    void dependencySnippetNamesThisVersion() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher xml = Pattern.compile("```xml\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(xml.find(), "a dependency snippet");
        String snippet = xml.group(1);
        assertTrue(snippet.contains("<groupId>org.softmax4j</groupId>"), snippet);
        assertTrue(snippet.contains("<artifactId>softmax4j</artifactId>"), snippet);
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher version = Pattern.compile("<artifactId>softmax4j</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(pom);
        assertTrue(version.find());
        assertTrue(snippet.contains("<version>" + version.group(1) + "</version>"), snippet);
    }
}
