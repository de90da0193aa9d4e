package org.softmax4j.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.softmax4j.Version;
import org.softmax4j.model.Model;

/**
 * A {@link Model} as an ONNX model shaped like the ones skl2onnx makes from scikit-learn's {@code LogisticRegression},
 * so that serving code written for those runs it unchanged:
 *
 * <pre>
 *   float_input  float[N, D]
 *     → Binarizer (only for a model trained on binarised inputs: 1 where x &gt;= its threshold, else 0)
 *     → LinearClassifier (ai.onnx.ml; coefficients W, intercepts b, post_transform SOFTMAX)
 *     → output_label        int64[N] (class names that are all integers) or string[N]
 *     → output_probability  seq(map(int64|string, float)) through ZipMap, one map per example,
 *                           or float[N, K] in class order with {@link Probabilities#TENSOR}
 * </pre>
 *
 * The class names are the LinearClassifier's and ZipMap's labels; the model's metadata holds the softmax4j version,
 * the class names in order, and the threshold. Ties in the arg-max go to the first class, as in softmax4j.
 */
public final class OnnxExport {
    /** The input's name, as skl2onnx names it. */
    public static final String INPUT = "float_input";
    public static final String LABEL_OUTPUT = "output_label";
    public static final String PROBABILITY_OUTPUT = "output_probability";
    /** The IR version written: 8 (ONNX 1.10), read by every ONNX Runtime since 1.10. */
    static final long IR_VERSION = 8;
    /** The default domain's opset imported (no operator of it is used; skl2onnx imports one too). */
    static final long ONNX_OPSET = 15;
    static final long ML_OPSET = 1;

    /** How the class probabilities come out. */
    public enum Probabilities {
        /** A sequence of maps from class label to probability, one per example, as skl2onnx's default (ZipMap). */
        MAP,
        /** A float tensor N×K, column k for class k (skl2onnx's {@code zipmap=False}). */
        TENSOR;

        public static Probabilities parse(String text) {
            for (Probabilities p : values()) {
                if (p.name().equalsIgnoreCase(text.trim())) {
                    return p;
                }
            }
            throw new IllegalArgumentException("probabilities is \"" + text + "\", expected map or tensor");
        }
    }

    private OnnxExport() {
    }

    /** The model as ONNX bytes, probabilities as a sequence of maps (ZipMap), as skl2onnx writes by default. */
    public static byte[] toOnnx(Model model) {
        return toOnnx(model, Probabilities.MAP);
    }

    public static byte[] toOnnx(Model model, Probabilities probabilities) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(probabilities, "probabilities");
        int numClasses = model.numClasses();
        int numFeatures = model.numFeatures();
        long[] intLabels = integerLabels(model.classNames());

        List<ProtoWriter> nodes = new ArrayList<>();
        String features = INPUT;
        Double threshold = model.binarizeThreshold();
        if (threshold != null) {
            nodes.add(node("Binarizer", OnnxSchema.ML_DOMAIN, "binarize", List.of(INPUT), List.of("binarized"),
                    List.of(floatAttribute("threshold", strictThreshold(threshold)))));
            features = "binarized";
        }
        float[] coefficients = new float[numClasses * numFeatures];
        float[] intercepts = new float[numClasses];
        for (int k = 0; k < numClasses; k++) {
            for (int j = 0; j < numFeatures; j++) {
                coefficients[k * numFeatures + j] = model.weight(k, j);
            }
            intercepts[k] = model.bias(k);
        }
        List<ProtoWriter> linear = new ArrayList<>();
        linear.add(intLabels != null ? intsAttribute("classlabels_ints", intLabels)
                : stringsAttribute("classlabels_strings", model.classNames()));
        linear.add(floatsAttribute("coefficients", coefficients));
        linear.add(floatsAttribute("intercepts", intercepts));
        linear.add(intAttribute("multi_class", 1));
        linear.add(stringAttribute("post_transform", "SOFTMAX"));
        String probabilityTensor = probabilities == Probabilities.MAP ? "probability_tensor" : PROBABILITY_OUTPUT;
        nodes.add(node("LinearClassifier", OnnxSchema.ML_DOMAIN, "linear_classifier", List.of(features),
                List.of(LABEL_OUTPUT, probabilityTensor), linear));
        if (probabilities == Probabilities.MAP) {
            nodes.add(node("ZipMap", OnnxSchema.ML_DOMAIN, "zipmap", List.of(probabilityTensor),
                    List.of(PROBABILITY_OUTPUT), List.of(intLabels != null
                            ? intsAttribute("classlabels_int64s", intLabels)
                            : stringsAttribute("classlabels_strings", model.classNames()))));
        }

        int labelType = intLabels != null ? OnnxSchema.INT64 : OnnxSchema.STRING;
        ProtoWriter graph = new ProtoWriter();
        for (ProtoWriter node : nodes) {
            graph.message(OnnxSchema.GRAPH_NODE, node);
        }
        graph.string(OnnxSchema.GRAPH_NAME, "softmax_regression");
        graph.string(OnnxSchema.GRAPH_DOC_STRING, "Softmax regression: " + numClasses + " classes, " + numFeatures
                + " features" + (model.hasBias() ? "" : ", no bias")
                + (threshold == null ? "" : ", inputs binarised at " + threshold + " (1 where x >= threshold)"));
        graph.message(OnnxSchema.GRAPH_INPUT, valueInfo(INPUT, tensorType(OnnxSchema.FLOAT, "N", numFeatures)));
        graph.message(OnnxSchema.GRAPH_OUTPUT, valueInfo(LABEL_OUTPUT, tensorType(labelType, "N", -1)));
        graph.message(OnnxSchema.GRAPH_OUTPUT, valueInfo(PROBABILITY_OUTPUT, probabilities == Probabilities.MAP
                ? sequenceOfMaps(labelType) : tensorType(OnnxSchema.FLOAT, "N", numClasses)));

        ProtoWriter modelProto = new ProtoWriter();
        modelProto.varint(OnnxSchema.MODEL_IR_VERSION, IR_VERSION);
        modelProto.string(OnnxSchema.MODEL_PRODUCER_NAME, "softmax4j");
        modelProto.string(OnnxSchema.MODEL_PRODUCER_VERSION, Version.get());
        modelProto.string(OnnxSchema.MODEL_DOMAIN, "org.softmax4j");
        modelProto.varint(OnnxSchema.MODEL_MODEL_VERSION, 1);
        modelProto.message(OnnxSchema.MODEL_GRAPH, graph);
        modelProto.message(OnnxSchema.MODEL_OPSET_IMPORT, opset("", ONNX_OPSET));
        modelProto.message(OnnxSchema.MODEL_OPSET_IMPORT, opset(OnnxSchema.ML_DOMAIN, ML_OPSET));
        modelProto.message(OnnxSchema.MODEL_METADATA_PROPS, entry("class_names", String.join("\n",
                model.classNames())));
        modelProto.message(OnnxSchema.MODEL_METADATA_PROPS, entry("binarize_threshold",
                threshold == null ? "none" : threshold.toString()));
        modelProto.message(OnnxSchema.MODEL_METADATA_PROPS, entry("stop_reason", model.training().stopReason()));
        modelProto.message(OnnxSchema.MODEL_METADATA_PROPS, entry("trained_with", "softmax4j "
                + model.training().softmax4jVersion() + ", " + model.training().engine()));
        return modelProto.toByteArray();
    }

    /**
     * The labels as int64 when every class name is a canonical integer ("7", "-3"; not "07" or "+3"), as
     * scikit-learn's integer targets become; otherwise null and the labels stay strings.
     */
    static long[] integerLabels(List<String> names) {
        long[] values = new long[names.size()];
        for (int k = 0; k < names.size(); k++) {
            try {
                values[k] = Long.parseLong(names.get(k));
            } catch (NumberFormatException e) {
                return null;
            }
            if (!Long.toString(values[k]).equals(names.get(k))) {
                return null;
            }
        }
        return values;
    }

    /**
     * ONNX's Binarizer gives 1 where x &gt; threshold; softmax4j binarises where x &gt;= t. For a float x, x &gt;= t
     * holds exactly when x &gt;= f, f the least float not below t, that is when x &gt; the float just below f.
     */
    static float strictThreshold(double threshold) {
        float f = (float) threshold;
        if ((double) f < threshold) {
            f = Math.nextUp(f);
        }
        return Math.nextDown(f);
    }

    private static ProtoWriter node(String opType, String domain, String name, List<String> inputs,
                                    List<String> outputs, List<ProtoWriter> attributes) {
        ProtoWriter node = new ProtoWriter();
        for (String input : inputs) {
            node.string(OnnxSchema.NODE_INPUT, input);
        }
        for (String output : outputs) {
            node.string(OnnxSchema.NODE_OUTPUT, output);
        }
        node.string(OnnxSchema.NODE_NAME, name);
        node.string(OnnxSchema.NODE_OP_TYPE, opType);
        for (ProtoWriter attribute : attributes) {
            node.message(OnnxSchema.NODE_ATTRIBUTE, attribute);
        }
        node.string(OnnxSchema.NODE_DOMAIN, domain);
        return node;
    }

    private static ProtoWriter floatAttribute(String name, float value) {
        return new ProtoWriter().string(OnnxSchema.ATTRIBUTE_NAME, name).float32(OnnxSchema.ATTRIBUTE_F, value)
                .varint(OnnxSchema.ATTRIBUTE_TYPE, OnnxSchema.ATTRIBUTE_FLOAT);
    }

    private static ProtoWriter intAttribute(String name, long value) {
        return new ProtoWriter().string(OnnxSchema.ATTRIBUTE_NAME, name).varint(OnnxSchema.ATTRIBUTE_I, value)
                .varint(OnnxSchema.ATTRIBUTE_TYPE, OnnxSchema.ATTRIBUTE_INT);
    }

    private static ProtoWriter stringAttribute(String name, String value) {
        return new ProtoWriter().string(OnnxSchema.ATTRIBUTE_NAME, name).string(OnnxSchema.ATTRIBUTE_S, value)
                .varint(OnnxSchema.ATTRIBUTE_TYPE, OnnxSchema.ATTRIBUTE_STRING);
    }

    private static ProtoWriter floatsAttribute(String name, float[] values) {
        return new ProtoWriter().string(OnnxSchema.ATTRIBUTE_NAME, name)
                .packedFloats(OnnxSchema.ATTRIBUTE_FLOATS, values)
                .varint(OnnxSchema.ATTRIBUTE_TYPE, OnnxSchema.ATTRIBUTE_FLOATS_TYPE);
    }

    private static ProtoWriter intsAttribute(String name, long[] values) {
        return new ProtoWriter().string(OnnxSchema.ATTRIBUTE_NAME, name)
                .packedVarints(OnnxSchema.ATTRIBUTE_INTS, values)
                .varint(OnnxSchema.ATTRIBUTE_TYPE, OnnxSchema.ATTRIBUTE_INTS_TYPE);
    }

    private static ProtoWriter stringsAttribute(String name, List<String> values) {
        ProtoWriter attribute = new ProtoWriter().string(OnnxSchema.ATTRIBUTE_NAME, name);
        for (String value : values) {
            attribute.string(OnnxSchema.ATTRIBUTE_STRINGS, value);
        }
        return attribute.varint(OnnxSchema.ATTRIBUTE_TYPE, OnnxSchema.ATTRIBUTE_STRINGS_TYPE);
    }

    /** A tensor type of rank 1 (columns &lt; 0) or 2, its first dimension symbolic. */
    private static ProtoWriter tensorType(int elementType, String rows, int columns) {
        ProtoWriter shape = new ProtoWriter()
                .message(OnnxSchema.SHAPE_DIM, new ProtoWriter().string(OnnxSchema.DIM_PARAM, rows));
        if (columns >= 0) {
            shape.message(OnnxSchema.SHAPE_DIM, new ProtoWriter().varint(OnnxSchema.DIM_VALUE, columns));
        }
        ProtoWriter tensor = new ProtoWriter().varint(OnnxSchema.TENSOR_ELEM_TYPE, elementType)
                .message(OnnxSchema.TENSOR_SHAPE, shape);
        return new ProtoWriter().message(OnnxSchema.TYPE_TENSOR, tensor);
    }

    private static ProtoWriter sequenceOfMaps(int keyType) {
        ProtoWriter scalarFloat = new ProtoWriter().message(OnnxSchema.TYPE_TENSOR,
                new ProtoWriter().varint(OnnxSchema.TENSOR_ELEM_TYPE, OnnxSchema.FLOAT));
        ProtoWriter map = new ProtoWriter().varint(OnnxSchema.MAP_KEY_TYPE, keyType)
                .message(OnnxSchema.MAP_VALUE_TYPE, scalarFloat);
        ProtoWriter mapType = new ProtoWriter().message(OnnxSchema.TYPE_MAP, map);
        ProtoWriter sequence = new ProtoWriter().message(OnnxSchema.SEQUENCE_ELEM_TYPE, mapType);
        return new ProtoWriter().message(OnnxSchema.TYPE_SEQUENCE, sequence);
    }

    private static ProtoWriter valueInfo(String name, ProtoWriter type) {
        return new ProtoWriter().string(OnnxSchema.VALUE_INFO_NAME, name).message(OnnxSchema.VALUE_INFO_TYPE, type);
    }

    private static ProtoWriter opset(String domain, long version) {
        return new ProtoWriter().string(OnnxSchema.OPSET_DOMAIN, domain).varint(OnnxSchema.OPSET_VERSION, version);
    }

    private static ProtoWriter entry(String key, String value) {
        return new ProtoWriter().string(OnnxSchema.ENTRY_KEY, key).string(OnnxSchema.ENTRY_VALUE, value);
    }

    static String describe(Model model) {
        return String.format(Locale.ROOT, "%d classes x %d features", model.numClasses(), model.numFeatures());
    }
}
