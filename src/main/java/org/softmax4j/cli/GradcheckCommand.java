package org.softmax4j.cli;

import java.nio.file.Path;
import java.util.SplittableRandom;

import com.google.gson.JsonObject;

import org.softmax4j.InputException;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.CsvData;
import org.softmax4j.data.CsvReader;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Engine;
import org.softmax4j.train.GradientCheck;
import org.softmax4j.train.PenaltyFactors;
import org.softmax4j.train.PenaltyFactorsFile;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "gradcheck", sortOptions = false,
        description = {"Check the gradient at random weights: the analytic gradient against numerical differences "
                + "of the log-likelihood, in double (fails above 1e-6), and the engine's float32 gradient against "
                + "the double one.",
                "Default data: a sample of the built-in binarized digits."})
final class GradcheckCommand extends BaseCommand {
    @Option(names = "--data", paramLabel = "FILE", description = "Labelled data (CSV); default: built-in digits.")
    Path dataFile;

    @Option(names = "--sample", paramLabel = "N", defaultValue = "200",
            description = "Examples drawn from the data by --seed (all when fewer). Default: ${DEFAULT-VALUE}.")
    int sample;

    @Option(names = "--max-parameters", paramLabel = "P", defaultValue = "2000",
            description = "Parameters differentiated numerically at most (chosen by --seed). "
                    + "Default: ${DEFAULT-VALUE}.")
    int maxParameters;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of the sample and the random weights. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--no-bias", description = "Check the model without a bias (b = 0): W alone.")
    boolean noBias;

    @Option(names = "--lambda", paramLabel = "L", defaultValue = "0",
            description = "Check F = log-likelihood - (L/2)·sum_kj f_j·w_kj² instead of the log-likelihood alone. "
                    + "Default: ${DEFAULT-VALUE}.")
    double lambda;

    @Option(names = "--penalty-factors", paramLabel = "FILE",
            description = "With --lambda: the L2 penalty factors f_j, in train's --penalty-factors format.")
    Path penaltyFactorsFile;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    BackendOptions backendOptions;

    @Override
    int execute() {
        if (sample < 1) {
            throw new InputException("--sample is " + sample + ", expected at least 1");
        }
        if (maxParameters < 1) {
            throw new InputException("--max-parameters is " + maxParameters + ", expected at least 1");
        }
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new InputException("--lambda is " + lambda + ", expected a finite number >= 0");
        }
        PenaltyFactorsFile factorsFile = penaltyFactorsFile == null ? null
                : PenaltyFactorsFile.read(penaltyFactorsFile);
        CsvData read = dataFile == null
                ? BuiltinDigits.loadProfiled(dataOptions.threshold(BuiltinDigits.DEFAULT_THRESHOLD))
                : CsvReader.readProfiled(dataFile, dataOptions.csvOptions(dataOptions.threshold(null)));
        Dataset data = sample(read.data(), sample, seed);
        PenaltyFactors factors = factorsFile == null ? PenaltyFactors.none()
                : factorsFile.forFeatures(read.featureNames(), data.numFeatures());
        GradientCheck.Result result;
        try (Engine engine = backendOptions.open(this)) {
            result = GradientCheck.run(engine, data, seed, maxParameters, noBias, lambda, factors);
            report((dataFile == null ? "built-in digits" : dataFile.toString()) + ", " + engine.description()
                    + (noBias ? ", no bias" : "") + (lambda > 0 ? ", lambda " + lambda : "")
                    + (factors.isNone() ? "" : ", penalty factors " + factors.summary()) + ": " + result.summary());
            JsonObject json = new JsonObject();
            json.addProperty("command", "gradcheck");
            json.addProperty("backend", engine.name());
            json.addProperty("device", engine.deviceSummary());
            json.addProperty("n", data.numExamples());
            json.addProperty("no_bias", noBias);
            json.add("lambda", Json.number(lambda));
            json.addProperty("penalty_factors", factors.isNone() ? null : factors.summary());
            json.addProperty("parameters_checked", result.numChecked());
            json.add("max_relative_error", Json.number(result.maxRelativeError()));
            json.addProperty("worst_parameter", result.worstParameter());
            json.add("engine_gradient_error", Json.number(result.engineGradientError()));
            json.add("engine_log_likelihood_error", Json.number(result.engineLogLikelihoodError()));
            json.addProperty("threshold", GradientCheck.MAX_RELATIVE_ERROR);
            json.addProperty("passed", result.passed());
            printJson(json);
        }
        if (!result.passed()) {
            err().println("gradcheck: FAILED: " + result.summary());
            err().flush();
            return ExitCodes.INTERNAL;
        }
        return ExitCodes.OK;
    }

    /** {@code size} distinct examples drawn by {@code seed}, in their original order; all when there are fewer. */
    static Dataset sample(Dataset data, int size, long seed) {
        int n = data.numExamples();
        if (size >= n) {
            return data;
        }
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            int j = i + random.nextInt(n - i);
            int swap = all[i];
            all[i] = all[j];
            all[j] = swap;
        }
        int[] chosen = java.util.Arrays.copyOf(all, size);
        java.util.Arrays.sort(chosen);
        return data.select(chosen);
    }
}
