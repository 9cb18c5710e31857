#include "tensor_names.h"
