#include "safetensors_index.h"
