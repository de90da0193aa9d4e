package org.softmax4j.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.softmax4j.Version;
import org.softmax4j.model.Model;
import org.softmax4j.onnx.proto.OnnxMl.AttributeProto;
import org.softmax4j.onnx.proto.OnnxMl.GraphProto;
import org.softmax4j.onnx.proto.OnnxMl.ModelProto;
import org.softmax4j.onnx.proto.OnnxMl.NodeProto;
import org.softmax4j.onnx.proto.OnnxMl.OperatorSetIdProto;
import org.softmax4j.onnx.proto.OnnxMl.StringStringEntryProto;
import org.softmax4j.onnx.proto.OnnxMl.TensorProto;
import org.softmax4j.onnx.proto.OnnxMl.TensorShapeProto;
import org.softmax4j.onnx.proto.OnnxMl.TypeProto;
import org.softmax4j.onnx.proto.OnnxMl.ValueInfoProto;

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
    /** The domain of the classical machine-learning operators (Binarizer, LinearClassifier, ZipMap). */
    static final String ML_DOMAIN = "ai.onnx.ml";

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

        List<NodeProto> nodes = new ArrayList<>();
        String features = INPUT;
        Double threshold = model.binarizeThreshold();
        if (threshold != null) {
            nodes.add(node("Binarizer", "binarize", List.of(INPUT), List.of("binarized"),
                    List.of(floatAttribute("threshold", strictThreshold(threshold)))));
            features = "binarized";
        }
        List<Float> coefficients = new ArrayList<>(numClasses * numFeatures);
        List<Float> intercepts = new ArrayList<>(numClasses);
        for (int k = 0; k < numClasses; k++) {
            for (int j = 0; j < numFeatures; j++) {
                coefficients.add(model.weight(k, j));
            }
            intercepts.add(model.bias(k));
        }
        List<AttributeProto> linear = new ArrayList<>();
        linear.add(intLabels != null ? intsAttribute("classlabels_ints", intLabels)
                : stringsAttribute("classlabels_strings", model.classNames()));
        linear.add(AttributeProto.newBuilder().setName("coefficients").setType(AttributeProto.AttributeType.FLOATS)
                .addAllFloats(coefficients).build());
        linear.add(AttributeProto.newBuilder().setName("intercepts").setType(AttributeProto.AttributeType.FLOATS)
                .addAllFloats(intercepts).build());
        linear.add(AttributeProto.newBuilder().setName("multi_class").setType(AttributeProto.AttributeType.INT)
                .setI(1).build());
        linear.add(AttributeProto.newBuilder().setName("post_transform")
                .setType(AttributeProto.AttributeType.STRING).setS(utf8("SOFTMAX")).build());
        String probabilityTensor = probabilities == Probabilities.MAP ? "probability_tensor" : PROBABILITY_OUTPUT;
        nodes.add(node("LinearClassifier", "linear_classifier", List.of(features),
                List.of(LABEL_OUTPUT, probabilityTensor), linear));
        if (probabilities == Probabilities.MAP) {
            nodes.add(node("ZipMap", "zipmap", List.of(probabilityTensor), List.of(PROBABILITY_OUTPUT),
                    List.of(intLabels != null ? intsAttribute("classlabels_int64s", intLabels)
                            : stringsAttribute("classlabels_strings", model.classNames()))));
        }

        TensorProto.DataType labelType = intLabels != null ? TensorProto.DataType.INT64 : TensorProto.DataType.STRING;
        GraphProto graph = GraphProto.newBuilder()
                .addAllNode(nodes)
                .setName("softmax_regression")
                .setDocString("Softmax regression: " + numClasses + " classes, " + numFeatures + " features"
                        + (model.hasBias() ? "" : ", no bias") + (threshold == null ? ""
                        : ", inputs binarised at " + threshold + " (1 where x >= threshold)"))
                .addInput(valueInfo(INPUT, tensorType(TensorProto.DataType.FLOAT, "N", numFeatures)))
                .addOutput(valueInfo(LABEL_OUTPUT, tensorType(labelType, "N", -1)))
                .addOutput(valueInfo(PROBABILITY_OUTPUT, probabilities == Probabilities.MAP ? sequenceOfMaps(labelType)
                        : tensorType(TensorProto.DataType.FLOAT, "N", numClasses)))
                .build();
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("softmax4j")
                .setProducerVersion(Version.get())
                .setDomain("org.softmax4j")
                .setModelVersion(1)
                .setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(ONNX_OPSET))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(ML_DOMAIN).setVersion(ML_OPSET))
                .addMetadataProps(entry("class_names", String.join("\n", model.classNames())))
                .addMetadataProps(entry("binarize_threshold", threshold == null ? "none" : threshold.toString()))
                .addMetadataProps(entry("stop_reason", model.training().stopReason()))
                .addMetadataProps(entry("trained_with", "softmax4j " + model.training().softmax4jVersion() + ", "
                        + model.training().engine()))
                .build()
                .toByteArray();
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

    private static NodeProto node(String opType, String name, List<String> inputs, List<String> outputs,
                                  List<AttributeProto> attributes) {
        return NodeProto.newBuilder().addAllInput(inputs).addAllOutput(outputs).setName(name).setOpType(opType)
                .addAllAttribute(attributes).setDomain(ML_DOMAIN).build();
    }

    private static com.google.protobuf.ByteString utf8(String text) {
        return com.google.protobuf.ByteString.copyFromUtf8(text);
    }

    private static AttributeProto floatAttribute(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    private static AttributeProto intsAttribute(String name, long[] values) {
        AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.INTS);
        for (long value : values) {
            attribute.addInts(value);
        }
        return attribute.build();
    }

    private static AttributeProto stringsAttribute(String name, List<String> values) {
        AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.STRINGS);
        for (String value : values) {
            attribute.addStrings(utf8(value));
        }
        return attribute.build();
    }

    /** A tensor type of rank 1 (columns &lt; 0) or 2, its first dimension symbolic. */
    private static TypeProto tensorType(TensorProto.DataType elementType, String rows, int columns) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(rows));
        if (columns >= 0) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(columns));
        }
        return TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(elementType.getNumber()).setShape(shape)).build();
    }

    private static TypeProto sequenceOfMaps(TensorProto.DataType keyType) {
        TypeProto scalarFloat = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT.getNumber())).build();
        TypeProto map = TypeProto.newBuilder().setMapType(TypeProto.Map.newBuilder()
                .setKeyType(keyType.getNumber()).setValueType(scalarFloat)).build();
        return TypeProto.newBuilder().setSequenceType(TypeProto.Sequence.newBuilder().setElemType(map)).build();
    }

    private static ValueInfoProto valueInfo(String name, TypeProto type) {
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    static String describe(Model model) {
        return String.format(Locale.ROOT, "%d classes x %d features", model.numClasses(), model.numFeatures());
    }
}
