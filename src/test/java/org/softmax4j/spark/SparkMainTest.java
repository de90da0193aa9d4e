package org.softmax4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Set;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.softmax4j.cli.Main;

/**
 * {@code softmax4j-spark train} (the class scripts/softmax4j-spark runs): train's report and --json keys plus
 * spark_master and partitions, and train's optimum; bad options exit 2 with one line.
 */
class SparkMainTest {

    private record Run(int code, String out, String err) {
    }

    private static Run spark(String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Method run = Class.forName("org.softmax4j.cli.SparkMain").getDeclaredMethod("run", String[].class,
                PrintWriter.class, PrintWriter.class);
        run.setAccessible(true);
        SparkTests.session();
        int code = (Integer) run.invoke(null, args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void trainsAsTrainDoesWithTwoMoreJsonKeys() throws Exception {
        String[] options = {"--solver", "lbfgs", "--lambda", "1", "--json", "--quiet"};
        Run spark = spark(concat(new String[] {"train", "--master", "local[2]", "--partitions", "3"}, options));
        assertEquals(0, spark.code(), spark.err());
        StringWriter out = new StringWriter();
        int code = Main.run(concat(new String[] {"train"}, options), new PrintWriter(out, true),
                new PrintWriter(new StringWriter(), true));
        assertEquals(0, code);
        JsonObject ours = JsonParser.parseString(spark.out()).getAsJsonObject();
        JsonObject single = JsonParser.parseString(out.toString()).getAsJsonObject();
        Set<String> expected = new HashSet<>(single.keySet());
        expected.add("spark_master");
        expected.add("partitions");
        assertEquals(expected, ours.keySet());
        assertEquals(3, ours.get("partitions").getAsInt());
        assertEquals("spark", ours.get("backend").getAsString());
        double f = single.get("objective").getAsDouble();
        assertEquals(f, ours.get("objective").getAsDouble(), 1e-10 * Math.abs(f));
        assertEquals(single.get("test_accuracy").getAsDouble(), ours.get("test_accuracy").getAsDouble());
        assertEquals(0, PartitionWorkers.size(), "executor-side workers left after train");
    }

    @Test
    void badOptionsExitTwoWithOneLine() throws Exception {
        Run zero = spark("train", "--partitions", "0");
        assertEquals(2, zero.code());
        assertEquals("softmax4j-spark: --partitions is 0, expected a whole number >= 1\n", zero.err());
        Run other = spark("eval", "--model", "m.json");
        assertEquals(2, other.code());
        assertTrue(other.err().startsWith("softmax4j-spark: the command is \"eval\", expected train"), other.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
