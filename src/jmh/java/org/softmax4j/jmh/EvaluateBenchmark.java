package org.softmax4j.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.softmax4j.bench.SyntheticData;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;

/**
 * The CPU engine's hot loop: one full-batch evaluation (log-likelihood and gradient). Run with scripts/jmh.sh; the
 * score is seconds per evaluation (divide N by it for samples per second).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@State(Scope.Benchmark)
public class EvaluateBenchmark {
    /** binary: D = 64 bits; dense: D = 784 floats. K = 10. */
    @Param({"binary", "dense"})
    public String kind;

    @Param({"1", "2"})
    public int threads;

    @Param({"simd", "scalar"})
    public String path;

    private CpuEngine engine;
    private Evaluator evaluator;
    private Parameters parameters;
    private Evaluation out;

    @Setup(Level.Trial)
    public void setUp() {
        boolean binary = kind.equals("binary");
        Dataset data = binary ? SyntheticData.binary(1_000_000, 64, 10, 1) : SyntheticData.dense(100_000, 784, 10, 1);
        engine = new CpuEngine(threads, path.equals("simd"));
        evaluator = engine.bind(data);
        parameters = SyntheticData.parameters(10, data.numFeatures(), 2);
        out = new Evaluation(10, data.numFeatures());
    }

    @Benchmark
    public double evaluate() {
        evaluator.evaluate(parameters, out);
        return out.logLikelihood();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        evaluator.close();
        engine.close();
    }
}
