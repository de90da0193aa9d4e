package org.softmax4j.cli;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.Engine;

/** Short lines shared by several commands. */
final class Notices {
    private Notices() {
    }

    /** Under --backend auto, says which engine was chosen and, when it is not CUDA, why. */
    static void backendChosen(BaseCommand command, BackendOptions options, Engine engine) {
        if (options.backend == Backend.AUTO && !engine.name().equals("cuda")) {
            String reason = Backend.cudaUnavailableReason();
            command.notice("backend auto: using " + engine.description() + " (cuda: "
                    + (reason == null ? "available but not chosen" : reason) + ")");
        }
    }

    static String representation(Dataset data) {
        return data instanceof BinaryDataset ? "bit-packed binary" : "dense float";
    }
}
