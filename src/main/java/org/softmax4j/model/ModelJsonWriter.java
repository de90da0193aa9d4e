package org.softmax4j.model;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.softmax4j.data.FeatureProfile;
import org.softmax4j.engine.Parameters;

/**
 * The writing half of {@link ModelFile}: the JSON body of a model file, laid out for people (one row of weights per
 * line), floats in their shortest round-trip form so that a model reads back bit for bit, and the lowest format version
 * that holds the model. Reading, with its checks, stays in {@link ModelFile}.
 */
final class ModelJsonWriter {
    private ModelJsonWriter() {
    }


    /** The body: pretty JSON with one row of weights per line, ending in a newline. */
    static String toJson(Model model) {
        int numClasses = model.numClasses();
        int numFeatures = model.numFeatures();
        Parameters parameters = model.parameters();
        float[] weights = parameters.weights();
        StringBuilder out = new StringBuilder(1024 + numClasses * (numFeatures + 1) * 16);
        out.append("{\n");
        out.append("  \"format\": ").append(jsonString(ModelFile.MAGIC)).append(",\n");
        int version = versionFor(model);
        out.append("  \"version\": ").append(version).append(",\n");
        out.append("  \"num_classes\": ").append(numClasses).append(",\n");
        out.append("  \"num_features\": ").append(numFeatures).append(",\n");
        out.append("  \"class_names\": [");
        for (int k = 0; k < numClasses; k++) {
            out.append(k == 0 ? "" : ", ").append(jsonString(model.classNames().get(k)));
        }
        out.append("],\n");
        Double threshold = model.binarizeThreshold();
        out.append("  \"binarize_threshold\": ").append(threshold == null ? "null" : Double.toString(threshold))
                .append(",\n");
        out.append("  \"weights\": [\n");
        for (int k = 0; k < numClasses; k++) {
            out.append("    [");
            for (int j = 0; j < numFeatures; j++) {
                // Float.toString gives a decimal that Float.parseFloat maps back to the same float, -0.0 included.
                out.append(j == 0 ? "" : ", ").append(Float.toString(weights[k * numFeatures + j]));
            }
            out.append(k + 1 < numClasses ? "],\n" : "]\n");
        }
        out.append("  ],\n");
        if (model.hasBias()) {
            out.append("  \"bias\": [");
            for (int k = 0; k < numClasses; k++) {
                out.append(k == 0 ? "" : ", ").append(Float.toString(parameters.bias()[k]));
            }
            out.append("],\n");
        } else {
            // Version 2: no bias field at all; b is not a parameter of this model.
            out.append("  \"no_bias\": true,\n");
        }
        TrainingInfo training = model.training();
        if (version >= ModelFile.VERSION) {
            List<String> featureNames = model.featureNames();
            out.append("  \"feature_names\": ");
            if (featureNames == null) {
                out.append("null");
            } else {
                out.append('[');
                for (int j = 0; j < numFeatures; j++) {
                    out.append(j == 0 ? "" : ", ").append(jsonString(featureNames.get(j)));
                }
                out.append(']');
            }
            out.append(",\n");
            FeatureProfile profile = model.featureProfile();
            out.append("  \"feature_profile\": ");
            if (profile == null) {
                out.append("null");
            } else {
                out.append("{\n    \"rows\": ").append(profile.numRows()).append(",\n");
                appendDoubles(out, "min", profile::min, numFeatures, ",\n");
                appendDoubles(out, "max", profile::max, numFeatures, ",\n");
                appendDoubles(out, "mean", profile::mean, numFeatures, ",\n");
                appendDoubles(out, "zero_share", profile::zeroShare, numFeatures, "\n");
                out.append("  }");
            }
            out.append(",\n");
        }
        out.append("  \"training\": {\n");
        out.append("    \"engine\": ").append(jsonString(training.engine())).append(",\n");
        out.append("    \"seed\": ").append(training.seed()).append(",\n");
        out.append("    \"stop_reason\": ").append(jsonString(training.stopReason())).append(",\n");
        out.append("    \"iterations\": ").append(training.iterations()).append(",\n");
        out.append("    \"options\": ");
        appendMap(out, training.options(), ModelJsonWriter::jsonString);
        out.append(",\n");
        out.append("    \"metrics\": ");
        appendMap(out, training.metrics(), ModelJsonWriter::jsonMetric);
        out.append(",\n");
        out.append("    \"created_at\": ").append(jsonString(training.createdAt())).append(",\n");
        out.append("    \"softmax4j_version\": ").append(jsonString(training.softmax4jVersion())).append("\n");
        out.append("  }\n");
        out.append("}\n");
        return out.toString();
    }

    /** The version {@link ModelFile#write} uses: 1 when the model has nothing that version 2 added, so version-1 readers read it. */
    static int versionFor(Model model) {
        return model.hasBias() && model.featureNames() == null && model.featureProfile() == null
                ? ModelFile.VERSION_1 : ModelFile.VERSION;
    }

    private static void appendDoubles(StringBuilder out, String name, java.util.function.IntToDoubleFunction value,
                                      int count, String end) {
        out.append("    ").append(jsonString(name)).append(": [");
        for (int j = 0; j < count; j++) {
            out.append(j == 0 ? "" : ", ").append(Double.toString(value.applyAsDouble(j)));
        }
        out.append(']').append(end);
    }

    private static <V> void appendMap(StringBuilder out, Map<String, V> map,
                                      Function<V, String> value) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        out.append("{\n");
        int i = 0;
        for (Map.Entry<String, V> entry : map.entrySet()) {
            out.append("      ").append(jsonString(entry.getKey())).append(": ").append(value.apply(entry.getValue()))
                    .append(++i < map.size() ? ",\n" : "\n");
        }
        out.append("    }");
    }

    /** NaN (not known) as null; infinities, which JSON has no number for, as the strings "Infinity", "-Infinity". */
    private static String jsonMetric(Double value) {
        if (value.isNaN()) {
            return "null";
        }
        if (value.isInfinite()) {
            return value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        }
        return Double.toString(value);
    }

    /**
     * A JSON string literal. Non-ASCII text is kept as UTF-8 for readers of the file; control characters, U+2028,
     * U+2029 and unpaired surrogates (which UTF-8 cannot carry) are escaped as backslash-u.
     */
    static String jsonString(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < text.length()
                            && Character.isLowSurrogate(text.charAt(i + 1))) {
                        out.append(c).append(text.charAt(++i));
                    } else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
