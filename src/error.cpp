// Names of the error codes, spelled as in the header so messages and JS errors match the spec.
#include "error.h"

namespace mp {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::Ok: return "Ok";
    case ErrorCode::HeaderTooSmall: return "HeaderTooSmall";
    case ErrorCode::HeaderTooLarge: return "HeaderTooLarge";
    case ErrorCode::InvalidHeaderLength: return "InvalidHeaderLength";
    case ErrorCode::InvalidHeader: return "InvalidHeader";
    case ErrorCode::InvalidHeaderDeserialization: return "InvalidHeaderDeserialization";
    case ErrorCode::InvalidOffset: return "InvalidOffset";
    case ErrorCode::ValidationOverflow: return "ValidationOverflow";
    case ErrorCode::MisalignedSlice: return "MisalignedSlice";
    case ErrorCode::TensorInvalidInfo: return "TensorInvalidInfo";
    case ErrorCode::MetadataIncompleteBuffer: return "MetadataIncompleteBuffer";
    case ErrorCode::InvalidIndex: return "InvalidIndex";
    case ErrorCode::IndexTooLarge: return "IndexTooLarge";
    case ErrorCode::UnsafeShardPath: return "UnsafeShardPath";
    case ErrorCode::GgufInvalidMagic: return "GgufInvalidMagic";
    case ErrorCode::GgufUnsupportedVersion: return "GgufUnsupportedVersion";
    case ErrorCode::GgufHeaderTooLarge: return "GgufHeaderTooLarge";
    case ErrorCode::GgufTruncated: return "GgufTruncated";
    case ErrorCode::GgufTooManyTensors: return "GgufTooManyTensors";
    case ErrorCode::GgufTooManyKeys: return "GgufTooManyKeys";
    case ErrorCode::GgufStringTooLong: return "GgufStringTooLong";
    case ErrorCode::GgufInvalidKey: return "GgufInvalidKey";
    case ErrorCode::GgufInvalidValueType: return "GgufInvalidValueType";
    case ErrorCode::GgufArrayTooLong: return "GgufArrayTooLong";
    case ErrorCode::GgufArrayTooDeep: return "GgufArrayTooDeep";
    case ErrorCode::GgufInvalidAlignment: return "GgufInvalidAlignment";
    case ErrorCode::GgufInvalidTensorName: return "GgufInvalidTensorName";
    case ErrorCode::GgufInvalidDims: return "GgufInvalidDims";
    case ErrorCode::GgufUnknownType: return "GgufUnknownType";
    case ErrorCode::GgufBlockMisaligned: return "GgufBlockMisaligned";
    case ErrorCode::GgufInvalidOffset: return "GgufInvalidOffset";
    case ErrorCode::GgufDataOutOfBounds: return "GgufDataOutOfBounds";
    case ErrorCode::GgufInvalidSplit: return "GgufInvalidSplit";
    case ErrorCode::UnsupportedDtype: return "UnsupportedDtype";
    case ErrorCode::ShapeMismatch: return "ShapeMismatch";
    case ErrorCode::NoMatchingTensors: return "NoMatchingTensors";
    case ErrorCode::MissingTensor: return "MissingTensor";
    case ErrorCode::InvalidArgument: return "InvalidArgument";
    case ErrorCode::NeedMoreBytes: return "NeedMoreBytes";
  }
  // Only reachable with a value cast from outside the enum.
  return "Unknown";
}

const char* error_kind(ErrorCode code) {
  switch (code) {
    case ErrorCode::HeaderTooSmall:
    case ErrorCode::HeaderTooLarge:
    case ErrorCode::InvalidHeaderLength:
    case ErrorCode::InvalidHeader:
    case ErrorCode::InvalidHeaderDeserialization:
    case ErrorCode::InvalidOffset:
    case ErrorCode::ValidationOverflow:
    case ErrorCode::MisalignedSlice:
    case ErrorCode::TensorInvalidInfo:
    case ErrorCode::MetadataIncompleteBuffer:
    case ErrorCode::InvalidIndex:
    case ErrorCode::IndexTooLarge:
    case ErrorCode::UnsafeShardPath:
    case ErrorCode::GgufInvalidMagic:
    case ErrorCode::GgufUnsupportedVersion:
    case ErrorCode::GgufHeaderTooLarge:
    case ErrorCode::GgufTruncated:
    case ErrorCode::GgufTooManyTensors:
    case ErrorCode::GgufTooManyKeys:
    case ErrorCode::GgufStringTooLong:
    case ErrorCode::GgufInvalidKey:
    case ErrorCode::GgufInvalidValueType:
    case ErrorCode::GgufArrayTooLong:
    case ErrorCode::GgufArrayTooDeep:
    case ErrorCode::GgufInvalidAlignment:
    case ErrorCode::GgufInvalidTensorName:
    case ErrorCode::GgufInvalidDims:
    case ErrorCode::GgufUnknownType:
    case ErrorCode::GgufBlockMisaligned:
    case ErrorCode::GgufInvalidOffset:
    case ErrorCode::GgufDataOutOfBounds:
    case ErrorCode::GgufInvalidSplit: return "invalid-file";
    case ErrorCode::UnsupportedDtype:
    case ErrorCode::ShapeMismatch:
    case ErrorCode::NoMatchingTensors:
    case ErrorCode::MissingTensor: return "incomparable";
    case ErrorCode::Ok:
    case ErrorCode::InvalidArgument:
    case ErrorCode::NeedMoreBytes: return "internal";
  }
  return "internal";
}

}  // namespace mp
