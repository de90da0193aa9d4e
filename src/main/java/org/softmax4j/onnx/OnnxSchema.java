package org.softmax4j.onnx;

/**
 * The field numbers and enum values of the ONNX messages {@link OnnxExport} writes, as onnx/onnx.proto (the ONNX IR
 * specification, proto2, package {@code onnx}) defines them; each group names its message. Only the fields written
 * are listed.
 */
final class OnnxSchema {
    static final String ML_DOMAIN = "ai.onnx.ml";

    // ModelProto
    static final int MODEL_IR_VERSION = 1;
    static final int MODEL_PRODUCER_NAME = 2;
    static final int MODEL_PRODUCER_VERSION = 3;
    static final int MODEL_DOMAIN = 4;
    static final int MODEL_MODEL_VERSION = 5;
    static final int MODEL_GRAPH = 7;
    static final int MODEL_OPSET_IMPORT = 8;
    static final int MODEL_METADATA_PROPS = 14;
    // OperatorSetIdProto
    static final int OPSET_DOMAIN = 1;
    static final int OPSET_VERSION = 2;
    // StringStringEntryProto
    static final int ENTRY_KEY = 1;
    static final int ENTRY_VALUE = 2;
    // GraphProto
    static final int GRAPH_NODE = 1;
    static final int GRAPH_NAME = 2;
    static final int GRAPH_DOC_STRING = 10;
    static final int GRAPH_INPUT = 11;
    static final int GRAPH_OUTPUT = 12;
    // NodeProto
    static final int NODE_INPUT = 1;
    static final int NODE_OUTPUT = 2;
    static final int NODE_NAME = 3;
    static final int NODE_OP_TYPE = 4;
    static final int NODE_ATTRIBUTE = 5;
    static final int NODE_DOMAIN = 7;
    // AttributeProto, and its AttributeType enum
    static final int ATTRIBUTE_NAME = 1;
    static final int ATTRIBUTE_F = 2;
    static final int ATTRIBUTE_I = 3;
    static final int ATTRIBUTE_S = 4;
    static final int ATTRIBUTE_FLOATS = 7;
    static final int ATTRIBUTE_INTS = 8;
    static final int ATTRIBUTE_STRINGS = 9;
    static final int ATTRIBUTE_TYPE = 20;
    static final int ATTRIBUTE_FLOAT = 1;
    static final int ATTRIBUTE_INT = 2;
    static final int ATTRIBUTE_STRING = 3;
    static final int ATTRIBUTE_FLOATS_TYPE = 6;
    static final int ATTRIBUTE_INTS_TYPE = 7;
    static final int ATTRIBUTE_STRINGS_TYPE = 8;
    // ValueInfoProto
    static final int VALUE_INFO_NAME = 1;
    static final int VALUE_INFO_TYPE = 2;
    // TypeProto (oneof value), TypeProto.Tensor, TypeProto.Sequence, TypeProto.Map
    static final int TYPE_TENSOR = 1;
    static final int TYPE_SEQUENCE = 4;
    static final int TYPE_MAP = 5;
    static final int TENSOR_ELEM_TYPE = 1;
    static final int TENSOR_SHAPE = 2;
    static final int SEQUENCE_ELEM_TYPE = 1;
    static final int MAP_KEY_TYPE = 1;
    static final int MAP_VALUE_TYPE = 2;
    // TensorShapeProto and its Dimension (oneof dim_value, dim_param)
    static final int SHAPE_DIM = 1;
    static final int DIM_VALUE = 1;
    static final int DIM_PARAM = 2;
    // TensorProto.DataType
    static final int FLOAT = 1;
    static final int INT64 = 7;
    static final int STRING = 8;

    private OnnxSchema() {
    }
}
