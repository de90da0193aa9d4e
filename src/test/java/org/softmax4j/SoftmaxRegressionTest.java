package org.softmax4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.cli.Main;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Split;
import org.softmax4j.data.Splits;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;
import org.softmax4j.train.TrainingOptions;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class SoftmaxRegressionTest {
    @TempDir
    static Path dir;
    static float[][] trainX;
    static int[] trainY;
    static float[][] testX;
    static int[] testY;

    @BeforeAll
    static void digits() {
        // The raw counts 0..16, split as train splits them; the API binarises at 8 as the CLI does.
        Split split = Splits.stratified(BuiltinDigits.load(null), 0.2, 1);
        trainX = rows(split.train());
        trainY = labels(split.train());
        testX = rows(split.test());
        testY = labels(split.test());
    }

    @Test
    void threeLinesOnTheDigitsMatchTheCommandLine() throws Exception {
        SoftmaxRegression model = SoftmaxRegression.builder().lambda(1).solver(Solver.LBFGS).binarize(8)
                .backend("cpu").build().fit(trainX, trainY);
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), model.classes());
        double accuracy = model.score(testX, testY);
        assertTrue(accuracy >= 0.9, "test accuracy " + accuracy);
        assertFalse(model.history().isEmpty());
        assertEquals(0, model.history().get(0).iteration());

        // The CLI, same data and options: the same optimum.
        Path file = dir.resolve("cli.s4j");
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"train", "--quiet", "--solver", "lbfgs", "--lambda", "1", "--backend", "cpu",
                "--model-out", file.toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(0, code, err.toString());
        SoftmaxRegression cli = SoftmaxRegression.load(file);
        double[][] ours = model.predictProbabilities(testX);
        double[][] theirs = cli.predictProbabilities(testX);
        for (int n = 0; n < ours.length; n++) {
            double sum = 0;
            for (int k = 0; k < 10; k++) {
                assertEquals(theirs[n][k], ours[n][k], 1e-4, "p[" + n + "][" + k + "] of API and CLI");
                sum += ours[n][k];
            }
            assertEquals(1, sum, 1e-5, "row " + n + " sums to 1");
        }
        assertArrayEquals(cli.predict(testX), model.predict(testX));
        assertEquals(model.score(testX, testY), cli.score(testX, testY), 1.0 / testY.length);
    }

    @Test
    void stringLabelsDoublesSaveAndLoad() {
        double[][] x = new double[90][2];
        String[] y = new String[90];
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        String[] names = {"red", "green", "blue"};
        for (int n = 0; n < 90; n++) {
            int c = n % 3;
            x[n][0] = c * 2 + random.nextDouble();
            x[n][1] = -c + random.nextDouble();
            y[n] = names[c];
        }
        SoftmaxRegression model = SoftmaxRegression.builder().solver(Solver.LBFGS).backend("cpu").build().fit(x, y);
        assertEquals(List.of("blue", "green", "red"), model.classes());
        assertEquals(1.0, model.score(x, y), 0.05);
        assertEquals(3, model.weights().length);
        assertEquals(2, model.weights()[0].length);
        assertEquals(3, model.bias().length);
        Path file = dir.resolve("colours.s4j");
        model.save(file);
        SoftmaxRegression loaded = SoftmaxRegression.load(file);
        assertArrayEquals(model.predict(x), loaded.predict(x));
        assertArrayEquals(model.weights(), loaded.weights());
        Model read = ModelFile.read(file);
        assertEquals(model.model(), read);
        SoftmaxRegression noBias = SoftmaxRegression.builder().noBias(true).maxIterations(30).backend("cpu").build()
                .fit(x, y);
        assertArrayEquals(new float[3], noBias.bias());
        SoftmaxRegression warm = SoftmaxRegression.builder().init(model).solver(Solver.LBFGS).backend("cpu").build()
                .fit(x, y);
        assertTrue(warm.history().size() <= model.history().size(), "a warm start needs no more iterations");
    }

    @Test
    void badArgumentsNameTheArgument() {
        SoftmaxRegression.Builder b = SoftmaxRegression.builder();
        expect("maxIterations", () -> b.maxIterations(-1));
        expect("lambda", () -> b.lambda(-1));
        expect("lambda", () -> b.lambda(Double.NaN));
        expect("learningRate", () -> b.learningRate(0));
        expect("learningRate", () -> b.learningRate("fast"));
        expect("tolerance", () -> b.tolerance(-1));
        expect("batchSize", () -> b.batchSize(-2));
        expect("alpha", () -> b.alpha(2));
        expect("history", () -> b.history(0));
        expect("momentum", () -> b.momentum(1));
        expect("schedule", () -> b.schedule("sometimes"));
        expect("precision", () -> b.precision("half"));
        expect("preconditioner", () -> b.preconditioner("magic"));
        expect("acceleration", () -> b.acceleration("warp"));
        expect("classWeight", () -> b.classWeight("3=heavy"));
        expect("sampleWeights", () -> b.sampleWeights(new double[] {1, -1}));
        expect("validationFraction", () -> b.validationFraction(1));
        expect("patience", () -> b.patience(0));
        expect("binarize", () -> b.binarize(Double.POSITIVE_INFINITY));
        expect("backend", () -> b.backend("tpu"));
        expect("threads", () -> b.threads(-1));
        expect("alpha", () -> SoftmaxRegression.builder().alpha(0.5).build()); // needs owlqn
        SoftmaxRegression.Estimator estimator = SoftmaxRegression.builder().maxIterations(3).backend("cpu").build();
        expect("x[1]", () -> estimator.fit(new float[][] {{1, 2}, {3}}, new int[] {0, 1}));
        expect("y", () -> estimator.fit(new float[][] {{1, 2}, {3, 4}}, new int[] {0}));
        expect("x[0][1]", () -> estimator.fit(new float[][] {{1, Float.NaN}}, new int[] {0}));
        expect("sampleWeights", () -> SoftmaxRegression.builder().sampleWeights(new double[] {1}).backend("cpu")
                .build().fit(new float[][] {{1}, {2}}, new int[] {0, 1}));
        SoftmaxRegression fitted = estimator.fit(new float[][] {{1, 2}, {3, 4}}, new int[] {0, 1});
        expect("y[0]", () -> fitted.score(new float[][] {{1, 2}}, new String[] {"7"}));
        expect("x[0]", () -> fitted.predict(new float[][] {{1, 2, 3}}));
    }

    private static void expect(String argument, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run, argument);
        assertTrue(e.getMessage().startsWith(argument) || e.getMessage().contains(argument + " "),
                "the message names " + argument + ": " + e.getMessage());
    }

    @Test
    void aFitResumedFromItsCheckpointEndsAsTheFitNeverStopped() {
        Path file = dir.resolve("fit.s4jc");
        SoftmaxRegression whole = SoftmaxRegression.builder().solver(Solver.SGD).batchSize(64).maxIterations(6)
                .backend("cpu").checkpoint(file, 0).build().fit(trainX, trainY);
        // The last checkpoint is of iteration 5, the last that went on.
        SoftmaxRegression resumed = SoftmaxRegression.builder().solver(Solver.SGD).batchSize(64).maxIterations(6)
                .backend("cpu").resume(file).build().fit(trainX, trainY);
        assertArrayEquals(whole.bias(), resumed.bias());
        for (int k = 0; k < whole.weights().length; k++) {
            assertArrayEquals(whole.weights()[k], resumed.weights()[k]);
        }
        assertEquals(whole.history().size(), resumed.history().size());
        InputException refused = assertThrows(InputException.class, () -> SoftmaxRegression.builder()
                .solver(Solver.SGD).batchSize(64).lambda(2).backend("cpu").resume(file).build().fit(trainX, trainY));
        assertTrue(refused.getMessage().contains("it was written with lambda 1.0, this run has 2.0"),
                refused.getMessage());
    }

    /** Penalty factors reach the fit (the trainer's optimum with them), are recorded, and are checked against D. */
    @Test
    void penaltyFactorsShapeTheFit() {
        double[] factors = new double[64];
        for (int j = 0; j < 64; j++) {
            factors[j] = j % 3 == 0 ? 0 : 1 + j % 5;
        }
        SoftmaxRegression.Estimator estimator = SoftmaxRegression.builder().solver(Solver.LBFGS)
                .penaltyFactors(factors).backend("cpu").build();
        SoftmaxRegression plain = SoftmaxRegression.builder().solver(Solver.LBFGS).backend("cpu").build()
                .fit(trainX, trainY);
        SoftmaxRegression fitted = estimator.fit(trainX, trainY);
        Model model = fitted.model();
        assertEquals(org.softmax4j.train.PenaltyFactors.same(factors).summary(),
                model.training().options().get("penalty_factors"));
        assertTrue(plain.model().training().options().get("penalty_factors") == null);
        double withFactors = model.training().metrics().get("objective");
        double without = plain.model().training().metrics().get("objective");
        assertTrue(Math.abs(withFactors - without) > 1, withFactors + " vs " + without);
        // The builder's two forms agree.
        SoftmaxRegression same = SoftmaxRegression.builder().solver(Solver.LBFGS).backend("cpu")
                .penaltyFactors(org.softmax4j.train.PenaltyFactors.same(factors)).build().fit(trainX, trainY);
        assertEquals(withFactors, same.model().training().metrics().get("objective"), 0.0);
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> SoftmaxRegression
                .builder().penaltyFactors(new double[3]).build().fit(trainX, trainY));
        assertEquals("penaltyFactors has 3 factors, expected 64 (one per feature)", wrong.getMessage());
        expect("penalty factor", () -> SoftmaxRegression.builder().penaltyFactors(new double[] {1, -1}));
    }

    /** Every option of train that shapes the model has a builder method of the same name and the same default. */
    @Test
    void everyTrainOptionHasABuilderMethodWithItsDefault() throws Exception {
        Set<String> notModelOptions = Set.of("--train", "--test", "--test-fraction", "--model-out", "--report",
                "--plot", "--label-column", "--header", "--representation", "--json", "--quiet", "--verbose",
                "--help", "--version", "--sample-weights", "--checkpoint-every");
        CommandLine train = new CommandLine(new Main()).getSubcommands().get("train");
        SoftmaxRegression.Builder fresh = SoftmaxRegression.builder();
        List<String> checked = new ArrayList<>();
        for (OptionSpec option : train.getCommandSpec().options()) {
            String name = option.longestName();
            if (notModelOptions.contains(name)) {
                continue;
            }
            String method = camel(name.substring(2));
            boolean exists = false;
            for (java.lang.reflect.Method m : SoftmaxRegression.Builder.class.getMethods()) {
                exists |= m.getName().equals(method);
            }
            assertTrue(exists, "train " + name + " has no builder method " + method);
            Field field = SoftmaxRegression.Builder.class.getDeclaredField(method.equals("init") ? "init" : method);
            field.setAccessible(true);
            Object value = field.get(fresh);
            String cliDefault = option.defaultValue();
            if (option.type() == boolean.class) {
                assertEquals(false, value, name);
            } else if (cliDefault == null) {
                assertEquals(null, value, name + " has no default");
            } else if (value instanceof Double d && Double.isNaN(d)) {
                assertEquals("auto", cliDefault, name);
            } else if (name.equals("--history")) {
                assertEquals("auto", cliDefault, name);
                assertEquals(TrainingOptions.AUTO_HISTORY, value, name);
            } else if (value instanceof Number number) {
                assertEquals(Double.parseDouble(cliDefault), number.doubleValue(), 0, name);
            } else {
                String shown = value instanceof Solver s ? s.name() : value.toString();
                try {
                    shown = (String) value.getClass().getMethod("id").invoke(value);
                } catch (NoSuchMethodException e) {
                    // an enum without an id: its name
                }
                assertEquals(cliDefault.toLowerCase(Locale.ROOT), shown.toLowerCase(Locale.ROOT), name);
            }
            checked.add(name);
        }
        assertTrue(checked.size() >= 20, "options checked: " + checked);
        // --sample-weights takes a file on the command line, an array here; checkpoint(file, seconds) takes both of
        // --checkpoint and --checkpoint-every.
        SoftmaxRegression.Builder.class.getMethod("sampleWeights", double[].class);
        SoftmaxRegression.Builder.class.getMethod("checkpoint", Path.class, double.class);
    }

    private static String camel(String option) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : option.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    static float[][] rows(Dataset data) {
        float[][] x = new float[data.numExamples()][data.numFeatures()];
        for (int n = 0; n < x.length; n++) {
            for (int j = 0; j < x[n].length; j++) {
                x[n][j] = data.feature(n, j);
            }
        }
        return x;
    }

    static int[] labels(Dataset data) {
        int[] y = new int[data.numExamples()];
        for (int n = 0; n < y.length; n++) {
            y[n] = Integer.parseInt(data.classNames().get(data.label(n)));
        }
        return y;
    }
}
