package org.softmax4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.softmax4j.AtomicFile;
import org.softmax4j.train.IterationRecord;
import org.softmax4j.train.StepReport;
import org.softmax4j.train.TrainingListener;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM during a training: the first asks the trainer to stop after the iteration under way (it
 * then keeps the best weights, writes the model and exits with 128 + the signal's number: 130 or 143); a second stops
 * at once, removing any temporary file a write had started, and writes nothing. Installed for the training only; the
 * handlers that were there before come back on {@link #close}.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported) is the JDK's only way to act on a signal without ending the
 * process: a shutdown hook runs when the JVM is already exiting, too late to finish an iteration and write a model.
 */
final class Interruption implements AutoCloseable {
    private static final String[] SIGNALS = {"INT", "TERM"};

    private final PrintWriter err;
    private final String command;
    private final List<Signal> installed = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private volatile String received;
    private volatile int exitCode;

    private Interruption(PrintWriter err, String command) {
        this.err = err;
        this.command = command;
    }

    /** Handles SIGINT and SIGTERM until closed; where the JVM does not let us (-Xrs), they keep their default. */
    static Interruption install(PrintWriter err, String command) {
        Interruption interruption = new Interruption(err, command);
        for (String name : SIGNALS) {
            try {
                Signal signal = new Signal(name);
                interruption.previous.add(Signal.handle(signal, interruption::handle));
                interruption.installed.add(signal);
            } catch (IllegalArgumentException e) {
                // Reserved by the JVM (-Xrs) or unknown here: the signal ends the process as it always did.
            }
        }
        return interruption;
    }

    /** Null until a signal came; then why training stops ("interrupted by SIGINT"). */
    String stopRequested() {
        String name = received;
        return name == null ? null : "interrupted by SIG" + name;
    }

    /** {@code progress}, told of every iteration, with this handler's answer to "stop now?". */
    TrainingListener around(TrainingListener progress) {
        return new TrainingListener() {
            @Override
            public void onIteration(IterationRecord record, int maxIterations) {
                progress.onIteration(record, maxIterations);
            }

            @Override
            public void onStep(StepReport step) {
                progress.onStep(step);
            }

            @Override
            public String stopRequested() {
                return Interruption.this.stopRequested();
            }
        };
    }

    /** 128 + the number of the signal that stopped training (130 for SIGINT, 143 for SIGTERM); 0 if none came. */
    int exitCode() {
        return exitCode;
    }

    private synchronized void handle(Signal signal) {
        int code = 128 + signal.getNumber();
        if (received == null) {
            exitCode = code;
            received = signal.getName();
            err.println(command + ": SIG" + signal.getName() + ": stopping after the current iteration with the best "
                    + "weights so far (send it again to stop at once, writing nothing)");
            err.flush();
            return;
        }
        err.println(command + ": SIG" + signal.getName() + " again: stopped at once; nothing was written");
        err.flush();
        AtomicFile.deleteTemporaries();
        Runtime.getRuntime().halt(code);
    }

    @Override
    public synchronized void close() {
        for (int i = 0; i < installed.size(); i++) {
            Signal.handle(installed.get(i), previous.get(i));
        }
        installed.clear();
        previous.clear();
    }
}
