package org.softmax4j.cli;

import java.io.PrintWriter;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import org.softmax4j.InputException;
import org.softmax4j.MemoryShortage;
import org.softmax4j.Version;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.BackendUnavailableException;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.cuda.CudaException;
import org.softmax4j.engine.cuda.DeviceMemoryException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** The {@code softmax4j} command line. {@code System.exit} is called here and nowhere else. */
@Command(name = "softmax4j", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        versionProvider = Main.VersionProvider.class,
        description = "Softmax (multinomial logistic) regression on the CPU or an NVIDIA GPU: gradient ascent, L-BFGS, "
                + "OWL-QN, SGD with momentum, Adam.",
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, GradcheckCommand.class,
                InfoCommand.class, BenchCommand.class, PictureCommand.class, ReportCommand.class, ExportCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Opens the engine of a command from {@code --backend} and {@code --threads}: {@link Backend#open} for the
     * {@code softmax4j} command line; {@code softmax4j-spark} passes one that evaluates on Spark.
     */
    @FunctionalInterface
    public interface EngineOpener {
        Engine open(Backend backend, int threads, java.util.function.Consumer<String> notices);
    }

    /** How this command line opens engines. */
    private final EngineOpener engineOpener;

    /** The command line of {@code softmax4j}: engines opened by {@link Backend#open}. */
    public Main() {
        this(Backend::open);
    }

    private Main(EngineOpener engineOpener) {
        this.engineOpener = engineOpener;
    }

    EngineOpener engineOpener() {
        return engineOpener;
    }

    /** Runs the command line with the given streams and returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, Backend::open);
    }

    /** As {@link #run(String[], PrintWriter, PrintWriter)}, the commands' engines opened by {@code engineOpener}. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, EngineOpener engineOpener) {
        CommandLine commandLine = new CommandLine(new Main(java.util.Objects.requireNonNull(engineOpener,
                "engineOpener")));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler(Main::badOptions);
        commandLine.registerConverter(java.nio.file.Path.class, Main::path);
        commandLine.setExecutionExceptionHandler(Main::failure);
        int code;
        try {
            code = commandLine.execute(args);
        } catch (OutOfMemoryError e) {
            // Thrown out of the command, whose data is unreachable now: there is room again to explain.
            code = outOfMemory(commandLine, args, err);
        }
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required: train, eval, predict, picture, gradcheck, "
                + "info or bench");
    }

    private static int badOptions(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(command.getCommandName() + ": " + printable(e.getMessage()) + " (see: softmax4j "
                + (command.getParent() == null ? "" : command.getCommandName() + " ") + "--help)");
        err.flush();
        // The options could not be parsed, so --json is looked for among the words as given (before a "--").
        boolean json = false;
        for (String arg : args) {
            if (arg.equals("--")) {
                break;
            }
            json |= arg.equals("--json");
        }
        if (json) {
            printError(command, printable(e.getMessage()), ExitCodes.BAD_INPUT, null, null);
        }
        return ExitCodes.BAD_INPUT;
    }

    /**
     * Under --json, a failure still ends standard output with one JSON object: the command, the error (the line
     * printed on stderr, without the command's name), the exit code, where the problem is when known (file, line,
     * column; null otherwise) and the notices given before it.
     */
    private static void printError(CommandLine command, String message, int code, InputException input,
                                   BaseCommand base) {
        JsonObject json = new JsonObject();
        json.addProperty("command", command.getParent() == null ? null : command.getCommandName());
        json.addProperty("error", message);
        json.addProperty("exit_code", code);
        String file = input == null ? null : input.file();
        json.addProperty("file", file);
        json.add("line", input == null || input.line() == 0 ? JsonNull.INSTANCE : new JsonPrimitive(input.line()));
        json.add("column", input == null || input.column() == 0 ? JsonNull.INSTANCE
                : new JsonPrimitive(input.column()));
        json.add("notices", base == null ? new JsonArray() : base.noticesJson());
        PrintWriter out = command.getOut();
        out.println(Json.line(json));
        out.flush();
    }

    /** A file name option's value; a name the system cannot hold (a NUL character) is an option error. */
    private static java.nio.file.Path path(String value) {
        try {
            return java.nio.file.Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a file name this system accepts ("
                    + e.getReason() + ")");
        }
    }

    /**
     * A message for one line of a terminal: control characters (a line break or a NUL in a quoted option value or
     * file name) become visible escapes, so that the explanation stays one line (found by fuzzing).
     */
    static String printable(String message) {
        if (message == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(message.length());
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The heap ran out: one line naming the limit and how to raise it, exit 3, never a stack trace. */
    private static int outOfMemory(CommandLine root, String[] args, PrintWriter err) {
        ParseResult parsed = root.getParseResult();
        CommandLine command = parsed != null && parsed.subcommand() != null ? parsed.subcommand().commandSpec()
                .commandLine() : root;
        long max = Runtime.getRuntime().maxMemory();
        String message = "out of memory: the data and the work on it need more than the "
                + MemoryShortage.describeBytes(max) + " this JVM may use; run it with more, e.g. JAVA_OPTS="
                + MemoryShortage.suggestedXmx(2.0 * max) + " (or use fewer rows, or --representation binary for 0/1 "
                + "data)";
        err.println(command.getCommandName() + ": " + message);
        err.flush();
        boolean json = false;
        for (String arg : args) {
            if (arg.equals("--")) {
                break;
            }
            json |= arg.equals("--json");
        }
        if (json) {
            printError(command, message, ExitCodes.BACKEND_UNAVAILABLE, null,
                    command.getCommand() instanceof BaseCommand base ? base : null);
        }
        return ExitCodes.BACKEND_UNAVAILABLE;
    }

    private static int failure(Exception e, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        boolean verbose = command.getCommand() instanceof BaseCommand base && base.common != null
                && base.common.verbose;
        int code;
        String message;
        if (e instanceof InputException) {
            message = printable(e.getMessage());
            code = ExitCodes.BAD_INPUT;
        } else if (e instanceof BackendUnavailableException || e instanceof DeviceMemoryException
                || e instanceof MemoryShortage) {
            // The back end asked for cannot run this here: no usable GPU, or data too large for it even streamed.
            message = printable(e.getMessage());
            code = ExitCodes.BACKEND_UNAVAILABLE;
        } else if (e instanceof CudaException) {
            // A driver call or a kernel failed mid-run: the message names the call (or the kernel) and the CUresult.
            message = "the GPU failed: " + e.getMessage();
            code = ExitCodes.GPU_FAILED;
        } else {
            message = "internal error: " + e;
            err.println(command.getCommandName() + ": " + message
                    + (verbose ? "" : " (run with --verbose for the stack trace)"));
            code = ExitCodes.INTERNAL;
        }
        if (code != ExitCodes.INTERNAL) {
            err.println(command.getCommandName() + ": " + message);
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        BaseCommand base = command.getCommand() instanceof BaseCommand b ? b : null;
        if (base != null && base.common != null && base.common.json) {
            printError(command, message, code, e instanceof InputException input ? input : null, base);
        }
        return code;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"softmax4j " + Version.get()};
        }
    }
}
