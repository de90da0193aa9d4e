package org.softmax4j.cli;

import org.softmax4j.engine.Backend;
import org.softmax4j.engine.Engine;

import picocli.CommandLine.Option;

/** Which engine computes, and with how many threads. */
final class BackendOptions {
    @Option(names = "--backend", paramLabel = "auto|cpu|cuda", defaultValue = "auto",
            converter = BackendConverter.class,
            description = "Engine: auto (CUDA when usable, else CPU), cpu or cuda. Default: ${DEFAULT-VALUE}.")
    Backend backend;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "CPU threads; 0 means one per processor. Results are bitwise the same for every N.")
    int threads;

    /**
     * Opens the engine. Its notices (the CUDA engine streaming data too large for the device; auto falling back to the
     * CPU for work the CUDA engine cannot take) go to the command's notice line, so --quiet silences them; under
     * --backend auto, when CUDA is not usable at all, one line says so and why.
     */
    Engine open(BaseCommand command) {
        check();
        Object root = command.spec.root().userObject();
        Engine engine = root instanceof Main main ? main.engineOpener().open(backend, threads, command::notice)
                : backend.open(threads, command::notice);
        if (backend == Backend.AUTO && !engine.name().equals(Backend.CUDA.toString())) {
            String reason = Backend.cudaUnavailableReason();
            command.notice("backend auto: using " + engine.description() + " (cuda: "
                    + (reason == null ? "available but not chosen" : reason) + ")");
        }
        return engine;
    }

    /** Checks --threads (--backend is checked as it is parsed), so that a command can check it before reading data. */
    void check() {
        if (threads < 0) {
            throw new org.softmax4j.InputException("--threads is " + threads + ", expected 0 (all processors) or more");
        }
    }

    static final class BackendConverter implements picocli.CommandLine.ITypeConverter<Backend> {
        @Override
        public Backend convert(String value) {
            try {
                return Backend.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
