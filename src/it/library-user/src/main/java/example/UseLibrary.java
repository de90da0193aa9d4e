package example;

import java.util.concurrent.Callable;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.train.Trainer;
import org.softmax4j.train.TrainingOptions;
import org.softmax4j.train.TrainingResult;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A user's command line, on the user's picocli, that trains on the built-in digits through the library's API. */
@Command(name = "use-library")
public final class UseLibrary implements Callable<Integer> {
    @Option(names = "--expect-picocli", required = true)
    String expectedPicocli;

    @Override
    public Integer call() {
        if (!CommandLine.VERSION.equals(expectedPicocli)) {
            System.err.println("picocli " + CommandLine.VERSION + " on the class path, expected " + expectedPicocli);
            return 1;
        }
        BinaryDataset digits = BuiltinDigits.load();
        try (Engine engine = new CpuEngine(1); Evaluator evaluator = engine.bind(digits)) {
            TrainingResult result = new Trainer(TrainingOptions.defaults().withMaxIterations(50)).train(evaluator,
                    (record, max) -> { });
            double accuracy = result.best().trainAccuracy();
            System.out.println("picocli " + CommandLine.VERSION + ", softmax4j trained " + result.iterations()
                    + " iterations, train accuracy " + accuracy);
            return accuracy > 0.8 ? 0 : 1;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new UseLibrary()).execute(args));
    }
}
