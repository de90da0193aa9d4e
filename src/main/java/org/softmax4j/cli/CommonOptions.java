package org.softmax4j.cli;

import picocli.CommandLine.Option;

/** Options every command takes. */
final class CommonOptions {
    @Option(names = "--json", description = "End standard output with one line: a JSON object with the results.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print no progress and no notices.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces of errors.")
    boolean verbose;
}
