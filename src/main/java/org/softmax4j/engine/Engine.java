package org.softmax4j.engine;

import org.softmax4j.data.Dataset;

/**
 * A back end that evaluates softmax regression: the CPU engine, or the CUDA engine. An engine owns long-lived resources
 * (threads, a GPU context); {@link #bind} hands it one data set, which it may copy to its own memory once.
 */
public interface Engine extends AutoCloseable {

    /** "cpu" or "cuda": the value of {@code --backend} that selects it. */
    String name();

    /** One line for people: the engine and its settings, e.g. "cpu, 2 threads". */
    String description();

    /** Prepares the engine to evaluate on {@code data}; the evaluator holds whatever it copied. */
    Evaluator bind(Dataset data);

    @Override
    void close();
}
