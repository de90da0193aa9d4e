package org.softmax4j.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import com.google.gson.JsonObject;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command shares: the common options, the output streams and the JSON result line. */
abstract class BaseCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A line of human-readable results: to stdout, or to stderr under --json so that stdout stays one object. */
    void report(String line) {
        if (common.json) {
            if (!common.quiet) {
                err().println(line);
            }
        } else {
            out().println(line);
        }
        flush();
    }

    /** A notice or warning for people, on stderr, unless --quiet. */
    void notice(String line) {
        if (!common.quiet) {
            err().println(line);
            err().flush();
        }
    }

    void printJson(JsonObject result) {
        if (common.json) {
            out().println(Json.line(result));
            flush();
        }
    }

    private void flush() {
        out().flush();
        err().flush();
    }

    /** Picocli's entry; subclasses implement {@link #execute()}. */
    @Override
    public final Integer call() throws Exception {
        return execute();
    }

    abstract int execute() throws Exception;
}
