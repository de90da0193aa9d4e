package org.softmax4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.google.gson.JsonArray;
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

    /** Every notice given so far, for the JSON result (also of a failure). */
    final List<String> notices = new ArrayList<>();

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

    /** A notice or warning for people, on stderr, unless --quiet; listed under "notices" in the JSON result. */
    void notice(String line) {
        notices.add(line);
        if (!common.quiet) {
            err().println(line);
            err().flush();
        }
    }

    void printJson(JsonObject result) {
        if (common.json) {
            result.add("notices", noticesJson());
            out().println(Json.line(result));
            flush();
        }
    }

    JsonArray noticesJson() {
        JsonArray list = new JsonArray();
        notices.forEach(list::add);
        return list;
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
