package org.softmax4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.softmax4j.spark.SparkCli;

/**
 * {@code softmax4j-spark train --master M --partitions P [train's options]}: {@code train} as the command line does it,
 * its training set cut into P partitions on Spark's master M and evaluated there (our engines on the executors), the
 * solver on the driver. Its {@code --json} adds spark_master and partitions to train's keys. Needs Spark's jars on
 * the class path (scripts/softmax4j-spark takes them from the Maven build); the {@code softmax4j} command line never
 * loads this class.
 */
public final class SparkMain {
    static final String DEFAULT_MASTER = "local[2]";
    static final int DEFAULT_PARTITIONS = 2;

    private SparkMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs {@code softmax4j-spark} and returns the exit code. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        String master = DEFAULT_MASTER;
        String partitions = Integer.toString(DEFAULT_PARTITIONS);
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if ((arg.equals("--master") || arg.equals("--partitions")) && i + 1 < args.length) {
                if (arg.equals("--master")) {
                    master = args[++i];
                } else {
                    partitions = args[++i];
                }
            } else if (arg.startsWith("--master=")) {
                master = arg.substring("--master=".length());
            } else if (arg.startsWith("--partitions=")) {
                partitions = arg.substring("--partitions=".length());
            } else if (arg.equals("--master") || arg.equals("--partitions")) {
                return badInput(err, arg + " needs a value");
            } else {
                rest.add(arg);
            }
        }
        if (rest.isEmpty() || !rest.get(0).equals("train")) {
            return badInput(err, "the command is " + (rest.isEmpty() ? "missing" : "\"" + rest.get(0) + "\"")
                    + ", expected train (softmax4j-spark train --master M --partitions P [train's options])");
        }
        int count;
        try {
            count = Integer.parseInt(partitions.trim());
        } catch (NumberFormatException e) {
            return badInput(err, "--partitions is \"" + partitions + "\", expected a whole number >= 1");
        }
        if (count < 1) {
            return badInput(err, "--partitions is " + count + ", expected a whole number >= 1");
        }
        try (SparkCli spark = SparkCli.start(master, count)) {
            return Main.run(rest.toArray(new String[0]), out, err, spark::open);
        } catch (RuntimeException e) {
            // The session itself did not start (a bad master URL, no cluster there).
            return badInput(err, "Spark master " + master + ": " + e.getMessage());
        }
    }

    private static int badInput(PrintWriter err, String message) {
        err.println("softmax4j-spark: " + message);
        err.flush();
        return ExitCodes.BAD_INPUT;
    }
}
